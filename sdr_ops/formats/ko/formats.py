# One way to write a date in Korean across the app, zero-padded: "2026년 01월 05일", with the
# weekday where a meeting's time is given. Templates use these names only.
DATE_FORMAT = "Y년 m월 d일"
SHORT_DATE_FORMAT = "Y년 m월 d일"
DATETIME_FORMAT = "Y년 m월 d일 (D) H:i"
SHORT_DATETIME_FORMAT = "Y년 m월 d일 H:i"
MONTH_DAY_FORMAT = "m월 d일"
TIME_FORMAT = "H:i"
