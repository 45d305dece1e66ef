package io.papertrading.broker.simulated;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/**
 * When the simulated market fills orders. Around the clock by default, so a paper trader testing at night gets
 * fills; regular US hours (09:30-16:00 New York, weekdays; holidays are not modelled) as a setting.
 */
public enum MarketHours {
    ALWAYS_OPEN, REGULAR_US;

    static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
    private static final LocalTime OPEN = LocalTime.of(9, 30);
    private static final LocalTime CLOSE = LocalTime.of(16, 0);

    public boolean isOpen(Instant at) {
        if (this == ALWAYS_OPEN) {
            return true;
        }
        ZonedDateTime t = at.atZone(NEW_YORK);
        LocalTime time = t.toLocalTime();
        return isWeekday(t.toLocalDate()) && !time.isBefore(OPEN) && time.isBefore(CLOSE);
    }

    /**
     * When a DAY order placed at {@code placed} expires: the end of that New York day when always open, else the
     * close of the session it works in (today's if placed before the close on a weekday, else the next weekday's).
     */
    public Instant dayOrderDeadline(Instant placed) {
        ZonedDateTime t = placed.atZone(NEW_YORK);
        if (this == ALWAYS_OPEN) {
            return t.toLocalDate().plusDays(1).atStartOfDay(NEW_YORK).toInstant();
        }
        LocalDate day = t.toLocalDate();
        if (!isWeekday(day) || !t.toLocalTime().isBefore(CLOSE)) {
            day = day.plusDays(1);
            while (!isWeekday(day)) {
                day = day.plusDays(1);
            }
        }
        return closeOf(day);
    }

    /** 16:00 New York on {@code day}: when options expiring that day stop trading. */
    static Instant closeOf(LocalDate day) {
        return day.atTime(CLOSE).atZone(NEW_YORK).toInstant();
    }

    private static boolean isWeekday(LocalDate day) {
        return day.getDayOfWeek() != DayOfWeek.SATURDAY && day.getDayOfWeek() != DayOfWeek.SUNDAY;
    }
}
