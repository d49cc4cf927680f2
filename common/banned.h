/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef SCX_COMMON_BANNED_H
#define SCX_COMMON_BANNED_H

/*
 * Library calls that are easy to misuse turn into compile errors. Use
 * snprintf, memcpy with an explicit size, strtok_r, gmtime_r/localtime_r,
 * mkstemp, and common/parse.h for numbers.
 */
#define BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) BANNED(strncat)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef atoi
#define atoi(x) BANNED(atoi)
#undef gmtime
#define gmtime(x) BANNED(gmtime)
#undef localtime
#define localtime(x) BANNED(localtime)
#undef mktemp
#define mktemp(x) BANNED(mktemp)

#endif
