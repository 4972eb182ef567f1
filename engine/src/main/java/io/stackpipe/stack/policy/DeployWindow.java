package io.stackpipe.stack.policy;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * When deploys are allowed: on {@code days}, from {@code from} (inclusive) to {@code to} (exclusive), in
 * {@code zone}'s local time (so daylight saving time moves the window with the office, not with UTC).
 *
 * @param to {@code null} for 24:00, the end of the day
 */
public record DeployWindow(Set<DayOfWeek> days, LocalTime from, LocalTime to, ZoneId zone) {

  public DeployWindow {
    days = Set.copyOf(days);
  }

  public boolean contains(Instant instant) {
    ZonedDateTime local = instant.atZone(zone);
    LocalTime time = local.toLocalTime();
    return days.contains(local.getDayOfWeek()) && !time.isBefore(from) && (to == null || time.isBefore(to));
  }

  @Override
  public String toString() {
    return days.stream().sorted().map(d -> d.name().substring(0, 3).toLowerCase(java.util.Locale.ROOT))
        .collect(Collectors.joining(",")) + " " + from + "-" + (to == null ? "24:00" : to) + " " + zone.getId();
  }
}
