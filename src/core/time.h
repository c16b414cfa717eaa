/* SPDX-License-Identifier: Apache-2.0 */
/* Clocks. Wall time for timestamps written into events; monotonic time for timeouts. */
#ifndef SL_CORE_TIME_H
#define SL_CORE_TIME_H

#include <stdint.h>

int64_t sl_time_now_ms(void);
int64_t sl_time_mono_ms(void);
int64_t sl_time_mono_us(void);
/* Days since 1970-01-01 of a proleptic Gregorian date (any year, month 1..12, day 1..31). */
int64_t sl_time_days_from_civil(int64_t y, unsigned m, unsigned d);

#endif
