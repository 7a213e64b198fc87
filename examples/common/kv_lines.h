/* The `key = value` line format shared by grow_brain's --config files and bimt_sweep's specs:
 * one setting a line, '#' starts a comment, blank lines are skipped, spaces, tabs and carriage
 * returns around keys and values are trimmed. Each program gives the values its own meaning;
 * this reader only cuts a text into (key, value) pairs and counts lines. */
#ifndef BIMT_EXAMPLES_KV_LINES_H
#define BIMT_EXAMPLES_KV_LINES_H

#include <stddef.h>

/** Longest line a kv_lines reader can hold (without its newline). */
#define KV_LINE_MAX 8190

/** What kv_lines_next() found. */
typedef enum kv_status {
    KV_END = 0,        /* no more lines */
    KV_PAIR = 1,       /* *key and *value are set (both trimmed; either may be "") */
    KV_TOO_LONG = -1,  /* the line is longer than the reader's max_len */
    KV_NO_EQUALS = -2, /* a line that is not blank nor a comment has no '=' */
    KV_NUL = -3        /* the line holds a NUL byte */
} kv_status;

/** A reader over one text buffer (which it does not copy; keep it alive). */
typedef struct kv_lines {
    const char *p, *end;
    size_t max_len; /* longest accepted line, newline excluded */
    int line;       /* number of the line last read (1-based; 0 before the first) */
    char buf[KV_LINE_MAX + 2];
} kv_lines;

/** Starts reading text[0..len) with lines of at most max_len bytes (<= KV_LINE_MAX). */
void kv_lines_init(kv_lines *r, const char *text, size_t len, size_t max_len);

/**
 * Reads up to the next `key = value` line. On KV_PAIR, *key and *value point into the
 * reader's buffer (valid until the next call); on an error r->line is the bad line's number.
 * The first '=' splits key from value; a '#' anywhere ends the line's content.
 */
kv_status kv_lines_next(kv_lines *r, char **key, char **value);

/** Trims spaces, tabs, CR and LF at both ends of s in place; returns the first kept byte. */
char *kv_trim(char *s);

/**
 * Reads a whole file into a new NUL-terminated buffer (*text, free() it; *len without the
 * NUL). Returns 0, -1 when the file cannot be opened (errno set) or -2 on a read error.
 */
int kv_read_file(const char *path, char **text, size_t *len);

#endif /* BIMT_EXAMPLES_KV_LINES_H */
