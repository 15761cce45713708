/*
 * hours.c: is a channel open at a moment? (SPEC §4, hubroute.channel_hours)
 *
 * The moment is read in the channel's time zone, never the session's, so a
 * call at 08:59 and one at 09:00 local time are judged by the wall clock of
 * the channel on every day, the days the clocks change included. A row
 * opens at its opens time (inclusive) and closes at its closes time
 * (exclusive); a row whose closes comes before its opens spans midnight and
 * belongs to the weekday it opens on. A weekday without rows is closed when
 * the channel has any rows; a channel with none is always open.
 */
#include "hubroute.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "pgtime.h"
#include "utils/datetime.h"

PG_FUNCTION_INFO_V1(hubroute_channel_is_open);

/*
 * The time zone named timezone, loaded once per cache build, or NULL when
 * it is not a zone PostgreSQL loads by name (an abbreviation such as
 * 'PST'): then each call asks timezone() itself.
 */
struct pg_tz *
hours_zone(const char *timezone)
{
	return timezone != NULL ? pg_tzset(timezone) : NULL;
}

/* The channel's local time of at. */
static void
local_time(const ChannelInfo *channel, TimestampTz at, struct pg_tm *tm, fsec_t *fsec)
{
	int			offset;
	int			failed;

	if (channel->zone != NULL)
		failed = timestamp2tm(at, &offset, tm, fsec, NULL, channel->zone);
	else
		failed = timestamp2tm(DatumGetTimestamp(DirectFunctionCall2(timestamptz_zone,
																	CStringGetTextDatum(channel->timezone),
																	TimestampTzGetDatum(at))),
							  NULL, tm, fsec, NULL, NULL);
	if (failed != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
}

/* The ISO weekday (1 Monday .. 7 Sunday) and time of day of at, in the channel's zone. */
static void
local_weekday_and_time(const ChannelInfo *channel, TimestampTz at, int *weekday, TimeADT *time_of_day)
{
	struct pg_tm tm;
	fsec_t		fsec;
	int			day;

	local_time(channel, at, &tm, &fsec);
	day = j2day(date2j(tm.tm_year, tm.tm_mon, tm.tm_mday));	/* 0: Sunday */
	*weekday = day == 0 ? 7 : day;
	*time_of_day = ((((int64) tm.tm_hour * MINS_PER_HOUR) + tm.tm_min) * SECS_PER_MINUTE + tm.tm_sec)
		* USECS_PER_SEC + fsec;
}

/* Is the channel open at at, by its hours in its time zone? */
bool
hours_open_at(const ChannelInfo *channel, TimestampTz at)
{
	int			weekday;
	int			day_before;
	TimeADT		now;

	if (channel->hours_count == 0)
		return true;
	local_weekday_and_time(channel, at, &weekday, &now);
	day_before = weekday == 1 ? 7 : weekday - 1;
	for (int i = 0; i < channel->hours_count; i++)
	{
		const OpeningHours *hours = &channel->hours[i];

		if (hours->opens < hours->closes)
		{
			if (hours->weekday == weekday && now >= hours->opens && now < hours->closes)
				return true;
		}
		else if ((hours->weekday == weekday && now >= hours->opens) ||
				 (hours->weekday == day_before && now < hours->closes))
			return true;
	}
	return false;
}

/*
 * hubroute.channel_is_open(channel_id bigint, at timestamptz DEFAULT now())
 * returns boolean: for applications and reports.
 */
Datum
hubroute_channel_is_open(PG_FUNCTION_ARGS)
{
	int64		channel_id = PG_GETARG_INT64(0);
	ChannelInfo *channel;

	cache_refresh();
	channel = cache_channel(channel_id);
	if (channel == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("channel %lld does not exist", (long long) channel_id)));
	PG_RETURN_BOOL(hours_open_at(channel, PG_GETARG_TIMESTAMPTZ(1)));
}
