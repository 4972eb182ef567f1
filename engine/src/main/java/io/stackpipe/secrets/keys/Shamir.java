package io.stackpipe.secrets.keys;

import io.stackpipe.secrets.core.SecretsException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Shamir's secret sharing over GF(2^8) with the AES polynomial 0x11B, byte-compatible with sops' shamir package
 * (HashiCorp Vault's): each share is the y values followed by one x coordinate byte.
 */
final class Shamir {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Shamir() {
  }

  static List<byte[]> split(byte[] secret, int parts, int threshold) {
    if (parts < threshold || parts > 255 || threshold < 2 || secret.length == 0) {
      throw new SecretsException("invalid Shamir parameters: " + parts + " parts, threshold " + threshold);
    }
    List<Integer> xs = new ArrayList<>();
    for (int i = 0; i < 255; i++) {
      xs.add(i);
    }
    Collections.shuffle(xs, RANDOM);
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < parts; i++) {
      byte[] share = new byte[secret.length + 1];
      share[secret.length] = (byte) (xs.get(i) + 1);
      out.add(share);
    }
    for (int idx = 0; idx < secret.length; idx++) {
      int[] coeffs = new int[threshold];
      coeffs[0] = secret[idx] & 0xff;
      for (int c = 1; c < threshold; c++) {
        coeffs[c] = RANDOM.nextInt(256);
      }
      for (int i = 0; i < parts; i++) {
        int x = xs.get(i) + 1;
        int y = 0;
        for (int c = threshold - 1; c >= 0; c--) {
          y = mult(y, x) ^ coeffs[c];
        }
        out.get(i)[idx] = (byte) y;
      }
    }
    return out;
  }

  static byte[] combine(List<byte[]> parts) {
    if (parts.size() < 2) {
      throw new SecretsException("less than two Shamir parts cannot rebuild the data key");
    }
    int len = parts.get(0).length;
    Set<Integer> seen = new HashSet<>();
    for (byte[] p : parts) {
      if (p.length != len || len < 2) {
        throw new SecretsException("Shamir parts have different lengths");
      }
      if (!seen.add(p[len - 1] & 0xff)) {
        throw new SecretsException("duplicate Shamir part");
      }
    }
    byte[] secret = new byte[len - 1];
    for (int idx = 0; idx < len - 1; idx++) {
      int result = 0;
      for (int i = 0; i < parts.size(); i++) {
        int xi = parts.get(i)[len - 1] & 0xff;
        int basis = 1;
        for (int j = 0; j < parts.size(); j++) {
          if (i != j) {
            int xj = parts.get(j)[len - 1] & 0xff;
            // Lagrange basis at x = 0: (0 - xj) / (xi - xj); subtraction is xor
            basis = mult(basis, div(xj, xi ^ xj));
          }
        }
        result ^= mult(parts.get(i)[idx] & 0xff, basis);
      }
      secret[idx] = (byte) result;
    }
    return secret;
  }

  static int mult(int a, int b) {
    int r = 0;
    for (int i = 0; i < 8; i++) {
      if ((b & 1) != 0) {
        r ^= a;
      }
      boolean hi = (a & 0x80) != 0;
      a = (a << 1) & 0xff;
      if (hi) {
        a ^= 0x1b;
      }
      b >>= 1;
    }
    return r;
  }

  static int div(int a, int b) {
    if (b == 0) {
      throw new ArithmeticException("divide by zero");
    }
    // b^254 is b's inverse in GF(2^8)
    int inv = 1;
    int base = b;
    int e = 254;
    while (e > 0) {
      if ((e & 1) != 0) {
        inv = mult(inv, base);
      }
      base = mult(base, base);
      e >>= 1;
    }
    return mult(a, inv);
  }
}
