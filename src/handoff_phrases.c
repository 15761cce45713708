/*
 * handoff_phrases.c: does a visitor's message contain one of the
 * hubroute.handoff_triggers phrases?
 *
 * Whole words, any case: a message and a phrase are read as sequences of
 * words (runs of letters and digits; every byte of a multibyte character
 * counts as a letter), lower-cased with the database's collation, and the
 * phrase must be a run of consecutive words of the message. So 'refund'
 * fires on "I want a Refund!" but not on "refunded", and 'talk to a person'
 * fires on "Talk to a person, please" and on "talk-to a person" alike.
 */
#include "hubroute.h"

#include "catalog/pg_collation_d.h"
#include "utils/formatting.h"

/* A word character: an ASCII letter or digit, or any byte of a multibyte character. */
static inline bool
word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

/* The words of text, lower case, as pointers into a copy; returns how many. */
static int
words_of(const char *text, char ***words)
{
	char	   *lower = str_tolower(text, strlen(text), DEFAULT_COLLATION_OID);
	int			space = 8;
	int			count = 0;
	char	   *p = lower;

	*words = palloc(sizeof(char *) * space);
	while (*p != '\0')
	{
		while (*p != '\0' && !word_byte((unsigned char) *p))
			p++;
		if (*p == '\0')
			break;
		if (count == space)
		{
			space *= 2;
			*words = repalloc(*words, sizeof(char *) * space);
		}
		(*words)[count++] = p;
		while (word_byte((unsigned char) *p))
			p++;
		if (*p != '\0')
			*p++ = '\0';
	}
	return count;
}

/* Are the phrase's words a run of consecutive words of the message? */
static bool
words_contain(char **message, int message_count, char **phrase, int phrase_count)
{
	for (int start = 0; start + phrase_count <= message_count; start++)
	{
		int			i = 0;

		while (i < phrase_count && strcmp(message[start + i], phrase[i]) == 0)
			i++;
		if (i == phrase_count)
			return true;
	}
	return false;
}

/* The first handoff phrase the message body contains, or NULL. */
const char *
handoff_phrase_in(const char *body, const CustomerAgentSettings *settings)
{
	char	  **message;
	int			message_count;

	if (body == NULL || settings->phrase_count == 0)
		return NULL;
	message_count = words_of(body, &message);
	for (int i = 0; i < settings->phrase_count; i++)
	{
		char	  **phrase;
		int			phrase_count = words_of(settings->phrases[i], &phrase);

		if (phrase_count > 0 && words_contain(message, message_count, phrase, phrase_count))
			return settings->phrases[i];
	}
	return NULL;
}
