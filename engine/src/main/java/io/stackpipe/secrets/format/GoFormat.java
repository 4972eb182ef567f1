package io.stackpipe.secrets.format;

import io.stackpipe.secrets.core.SecretsException;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** The few Go formatting rules sops' bytes depend on (strconv.FormatFloat 'f' -1, time RFC 3339, ParseBool). */
final class GoFormat {
  private GoFormat() {
  }

  /** strconv.FormatFloat(d, 'f', -1, 64): the shortest decimal that round-trips, never in exponent form. */
  static String formatFloat(double d) {
    if (Double.isNaN(d)) {
      return "NaN";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "+Inf" : "-Inf";
    }
    if (d == 0) {
      return (1 / d < 0) ? "-0" : "0";
    }
    // Java 17's Double.toString is not always the shortest representation: search for it.
    for (int p = 1; p <= 17; p++) {
      BigDecimal bd = new BigDecimal(d).round(new java.math.MathContext(p));
      if (bd.doubleValue() == d) {
        return bd.stripTrailingZeros().toPlainString();
      }
    }
    return new BigDecimal(d).toPlainString();
  }

  /** go-yaml's float: strconv.FormatFloat(d, 'g', -1, 64) with YAML spellings of infinity and NaN. */
  static String formatFloatG(double d) {
    if (Double.isNaN(d)) {
      return ".nan";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? ".inf" : "-.inf";
    }
    if (d == 0) {
      return (1 / d < 0) ? "-0" : "0";
    }
    String plain = formatFloat(d);
    BigDecimal bd = new BigDecimal(plain);
    int exp = bd.precision() - bd.scale() - 1;
    if (exp < -4 || exp >= 6) {
      String digits = bd.unscaledValue().abs().toString().replaceAll("0+$", "");
      String mant = digits.length() > 1 ? digits.charAt(0) + "." + digits.substring(1) : digits;
      return (d < 0 ? "-" : "") + mant + "e" + (exp < 0 ? "-" : "+") + String.format("%02d", Math.abs(exp));
    }
    return plain;
  }

  /** Go's strconv.ParseFloat for what FormatFloat writes, including "+Inf", "-Inf" and "NaN". */
  static double parseFloat(String s) {
    return switch (s) {
      case "+Inf", "Inf", "inf", "+inf", "Infinity", "+Infinity" -> Double.POSITIVE_INFINITY;
      case "-Inf", "-inf", "-Infinity" -> Double.NEGATIVE_INFINITY;
      case "NaN", "nan" -> Double.NaN;
      default -> Double.parseDouble(s);
    };
  }

  /** Go's strconv.ParseBool. */
  static boolean parseBool(String s) {
    return switch (s) {
      case "1", "t", "T", "TRUE", "true", "True" -> true;
      case "0", "f", "F", "FALSE", "false", "False" -> false;
      default -> throw new IllegalArgumentException("invalid bool");
    };
  }

  /** time.Time.Format(time.RFC3339): seconds precision, "Z" for UTC. */
  static String rfc3339(OffsetDateTime t) {
    return format(t.withNano(0));
  }

  /** time.Time.MarshalText: RFC 3339 with nanoseconds, trailing zeros dropped. */
  static String rfc3339Nano(OffsetDateTime t) {
    return format(t);
  }

  private static String format(OffsetDateTime t) {
    String base = t.format(DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss"));
    if (t.getNano() != 0) {
      String frac = String.format("%09d", t.getNano()).replaceAll("0+$", "");
      base += "." + frac;
    }
    return base + (t.getOffset().equals(ZoneOffset.UTC) ? "Z" : t.getOffset().getId());
  }

  private static final java.util.regex.Pattern YAML_TIMESTAMP = java.util.regex.Pattern.compile(
      "(\\d{4})-(\\d{1,2})-(\\d{1,2})(?:([Tt ])(\\d{1,2}):(\\d{1,2}):(\\d{1,2})(?:\\.(\\d+))?(Z|[+-]\\d{2}:\\d{2})?)?");

  /**
   * go-yaml's parseTimestamp: time.Parse with "2006-1-2T15:4:5.999999999Z07:00" (also with a lower-case t),
   * "2006-1-2 15:4:5.999999999" (UTC) or "2006-1-2" (midnight UTC); null when none matches.
   */
  static OffsetDateTime parseYamlTimestamp(String s) {
    java.util.regex.Matcher m = YAML_TIMESTAMP.matcher(s);
    if (!m.matches()) {
      return null;
    }
    boolean space = " ".equals(m.group(4));
    // the T layouts need a zone, the space layout has none
    if (m.group(4) != null && (space == (m.group(9) != null))) {
      return null;
    }
    try {
      int nanos = 0;
      if (m.group(8) != null) {
        String frac = (m.group(8) + "000000000").substring(0, 9);
        if (m.group(8).length() > 9) {
          return null;
        }
        nanos = Integer.parseInt(frac);
      }
      ZoneOffset zone = m.group(9) == null || m.group(9).equals("Z") ? ZoneOffset.UTC : ZoneOffset.of(m.group(9));
      if (m.group(4) == null) {
        return OffsetDateTime.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
            0, 0, 0, 0, ZoneOffset.UTC);
      }
      return OffsetDateTime.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
          Integer.parseInt(m.group(5)), Integer.parseInt(m.group(6)), Integer.parseInt(m.group(7)), nanos, zone);
    } catch (java.time.DateTimeException e) {
      return null;
    }
  }

  /** encoding/json's float: 'f' form for 1e-6 <= |d| < 1e21, else 'e' form with a one-digit negative exponent kept short. */
  static String formatJsonFloat(double d) {
    double abs = Math.abs(d);
    if (abs == 0 || (abs >= 1e-6 && abs < 1e21)) {
      return formatFloat(d);
    }
    String g = formatFloatG(d);
    // formatFloatG writes two exponent digits at least, as Go's 'e' does; encoding/json trims "e-07" to "e-7"
    return g.replaceFirst("e-0(\\d)$", "e-$1");
  }

  static OffsetDateTime parseTime(String s) {
    try {
      return OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    } catch (DateTimeParseException e) {
      throw new SecretsException("not an RFC 3339 time: '" + s + "'");
    }
  }
}
