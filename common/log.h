/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef SCX_COMMON_LOG_H
#define SCX_COMMON_LOG_H

/*
 * Logging to stderr, shaped like OpenBSD's log.c. Under journald
 * (JOURNAL_STREAM set) every line carries the sd-daemon priority prefix and
 * no timestamp; otherwise lines carry the program name and the level.
 * common/ logs at debug level only; callers log errors once.
 */

enum log_level {
	LOG_LEVEL_ERROR = 3,
	LOG_LEVEL_WARN = 4,
	LOG_LEVEL_INFO = 6,
	LOG_LEVEL_DEBUG = 7,
};

/* Set the program name shown in lines and the most verbose level printed. */
void log_init(const char *progname, enum log_level level);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Parse "error", "warn", "info" or "debug"; returns 0 or -EINVAL. */
int log_level_from_string(const char *s, enum log_level *ret_level);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_error(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

/*
 * Log at error level with ": strerror(-r)" appended; returns r (a negative
 * errno) so that callers can `return log_error_errno(r, ...)`.
 */
int log_errno(enum log_level level, int r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define log_error_errno(r, ...) log_errno(LOG_LEVEL_ERROR, (r), __VA_ARGS__)
#define log_warn_errno(r, ...)  log_errno(LOG_LEVEL_WARN, (r), __VA_ARGS__)

#endif
