# One way to write a date in English across the app, "Nov. 27, 2026", with the weekday where a
# meeting's time is given. Templates use these names only, never a pattern of their own.
DATE_FORMAT = "N j, Y"
SHORT_DATE_FORMAT = "N j, Y"
DATETIME_FORMAT = "D, N j, Y H:i"
SHORT_DATETIME_FORMAT = "N j, Y H:i"
MONTH_DAY_FORMAT = "N j"
TIME_FORMAT = "H:i"
