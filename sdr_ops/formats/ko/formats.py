# One way to write a date in Korean across the app: 2026-12-01 (zero-padded), the weekday in
# brackets where the day matters: 2026-12-01 (화).
DATE_FORMAT = "Y-m-d (D)"
DATETIME_FORMAT = "Y-m-d (D) H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
MONTH_DAY_FORMAT = "m-d"
TIME_FORMAT = "H:i"
