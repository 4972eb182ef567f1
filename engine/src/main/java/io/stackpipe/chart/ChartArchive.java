package io.stackpipe.chart;

import io.stackpipe.StackpipeException;
import io.stackpipe.registry.OciDigest;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Chart archives (.tgz): a reproducible rewrite of what {@code helm package} wrote, its listing, and a digest
 * of its content that ignores archive metadata such as timestamps.
 */
public final class ChartArchive {

  /** 1980-01-01T00:00:00Z: every entry gets this time, so the same files always make the same bytes. */
  private static final long FIXED_MTIME_MILLIS = 315_532_800_000L;
  private static final long MAX_ENTRY_BYTES = 64L * 1024 * 1024;

  private ChartArchive() {
  }

  /** Writes files (path → bytes) as a reproducible archive: sorted, fixed timestamps, owners and modes. */
  public static void write(Map<String, byte[]> files, Path target) {
    Map<String, byte[]> sorted = new TreeMap<>(files);
    try (OutputStream out = Files.newOutputStream(target);
         GZIPOutputStream gzip = new GZIPOutputStream(out);
         TarArchiveOutputStream tar = new TarArchiveOutputStream(gzip)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (Map.Entry<String, byte[]> file : sorted.entrySet()) {
        TarArchiveEntry entry = new TarArchiveEntry(file.getKey());
        entry.setSize(file.getValue().length);
        entry.setMode(0100644);
        entry.setModTime(FIXED_MTIME_MILLIS);
        tar.putArchiveEntry(entry);
        tar.write(file.getValue());
        tar.closeArchiveEntry();
      }
    } catch (IOException e) {
      throw new StackpipeException(target + ": cannot write chart archive (" + e.getMessage() + ")");
    }
  }

  /** The file paths inside an archive, in archive order (e.g. {@code orders/profiles/qa1/values.yaml}). */
  public static List<String> listing(Path archive) {
    return new ArrayList<>(files(archive).keySet());
  }

  /** One file of an archive, e.g. {@code orders/profiles/qa1/values.yaml}; empty when absent. */
  public static java.util.Optional<byte[]> entry(Path archive, String path) {
    return java.util.Optional.ofNullable(files(archive).get(path));
  }

  /** sha256 of the archive bytes: the digest a registry stores the chart layer under. */
  public static String digest(Path archive) {
    return OciDigest.of(archive);
  }

  /** sha256 over every file's path and bytes in path order: equal exactly when two archives hold the same chart. */
  public static String contentDigest(InputStream archive, String display) {
    MessageDigest sha = sha256();
    read(archive, display).forEach((path, bytes) -> {
      sha.update(path.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      sha.update((byte) 0);
      sha.update(Long.toString(bytes.length).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      sha.update((byte) 0);
      sha.update(bytes);
    });
    return "sha256:" + HexFormat.of().formatHex(sha.digest());
  }

  public static String contentDigest(Path archive) {
    try (InputStream in = Files.newInputStream(archive)) {
      return contentDigest(in, archive.toString());
    } catch (IOException e) {
      throw new StackpipeException(archive + ": cannot be read (" + e.getMessage() + ")");
    }
  }

  /** Every file of an archive, path → bytes, sorted by path. */
  public static Map<String, byte[]> files(Path archive) {
    try (InputStream in = Files.newInputStream(archive)) {
      return read(in, archive.toString());
    } catch (IOException e) {
      throw new StackpipeException(archive + ": cannot be read (" + e.getMessage() + ")");
    }
  }

  /** Every file of an archive read from a stream (e.g. a subchart inside an umbrella), path → bytes, sorted. */
  // Sorted by path: helm's own order is lexical too, and sorting makes the rewrite independent of it.
  public static Map<String, byte[]> read(InputStream archive, String display) {
    Map<String, byte[]> files = new TreeMap<>();
    try (TarArchiveInputStream tar = new TarArchiveInputStream(
        new GZIPInputStream(new BufferedInputStream(archive)))) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        if (!entry.isFile()) {
          continue;
        }
        if (entry.getSize() > MAX_ENTRY_BYTES) {
          throw new StackpipeException(display + ": entry " + entry.getName() + " is over " + MAX_ENTRY_BYTES + " bytes");
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream((int) entry.getSize());
        tar.transferTo(bytes);
        files.put(entry.getName(), bytes.toByteArray());
      }
    } catch (IOException e) {
      throw new StackpipeException(display + ": not a readable chart archive (" + e.getMessage() + ")");
    }
    return files;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
