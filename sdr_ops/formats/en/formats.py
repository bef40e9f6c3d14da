# One way to write a date in English across the app: 2026-12-01, zero-padded, with the weekday
# where the day matters (a call list's day, a meeting's time). Templates use these names only.
DATE_FORMAT = "D, Y-m-d"
DATETIME_FORMAT = "D, Y-m-d H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
MONTH_DAY_FORMAT = "m-d"
TIME_FORMAT = "H:i"
