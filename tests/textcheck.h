/* Independent checkers for the report's text formats, shared by test_svg.c and
 * test_report.c: a minimal XML well-formedness checker and a strict JSON parser with path
 * lookup. Written from the format rules (XML 1.0 section 2, RFC 8259), not from lib/. */
#ifndef BIMT_TEXTCHECK_H
#define BIMT_TEXTCHECK_H

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ XML */

static inline int tc_is_name_start(int c)
{
    return isalpha(c) || c == '_' || c == ':';
}
static inline int tc_is_name(int c)
{
    return isalnum(c) || c == '_' || c == ':' || c == '-' || c == '.';
}

/* Checks a reference at p ('&' ...); returns its length or 0 if malformed. */
static inline size_t tc_xml_ref(const char *p)
{
    static const char *const named[] = {"amp;", "lt;", "gt;", "quot;", "apos;"};
    for (size_t i = 0; i < 5; i++)
        if (strncmp(p + 1, named[i], strlen(named[i])) == 0) return 1 + strlen(named[i]);
    if (p[1] == '#') {
        size_t n = 2;
        int hex = p[2] == 'x';
        if (hex) n++;
        size_t d = 0;
        while (hex ? isxdigit((unsigned char)p[n]) : isdigit((unsigned char)p[n]))
            n++, d++;
        if (d && p[n] == ';') return n + 1;
    }
    return 0;
}

/* Text between tags: no raw '<' (caller stops there), every '&' a reference, no "]]>",
 * no control characters besides tab/CR/LF. */
static inline int tc_xml_text(const char *p, const char *end, char *why, size_t wl)
{
    for (const char *q = p; q < end; q++) {
        unsigned char c = (unsigned char)*q;
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
            snprintf(why, wl, "control character 0x%02x in text", c);
            return 0;
        }
        if (c == '>' && q - p >= 2 && q[-1] == ']' && q[-2] == ']') {
            snprintf(why, wl, "']]>' in text");
            return 0;
        }
        if (c == '&') {
            size_t n = tc_xml_ref(q);
            if (!n) {
                snprintf(why, wl, "bare '&' in text near: %.30s", q);
                return 0;
            }
            q += n - 1;
        }
    }
    return 1;
}

/** 1 if s is a well-formed XML document (one root element, balanced and properly nested
 *  tags, quoted attributes without '<' or bare '&', unique attribute names per tag);
 *  else 0 with a reason in why. */
static inline int tc_xml_wellformed(const char *s, char *why, size_t wl)
{
    enum { MAXD = 256 };
    const char *stack[MAXD];
    size_t stack_len[MAXD];
    int depth = 0, roots = 0;
    const char *p = s;
    snprintf(why, wl, "ok");
    if (strncmp(p, "<?xml", 5) == 0) {
        const char *e = strstr(p, "?>");
        if (!e) {
            snprintf(why, wl, "unterminated XML declaration");
            return 0;
        }
        p = e + 2;
    }
    while (*p) {
        const char *lt = strchr(p, '<');
        const char *end = lt ? lt : p + strlen(p);
        if (depth == 0) {
            for (const char *q = p; q < end; q++)
                if (!isspace((unsigned char)*q)) {
                    snprintf(why, wl, "text outside the root element");
                    return 0;
                }
        } else if (!tc_xml_text(p, end, why, wl)) {
            return 0;
        }
        if (!lt) break;
        p = lt;
        if (strncmp(p, "<!--", 4) == 0) {
            const char *e = strstr(p + 4, "-->");
            if (!e) {
                snprintf(why, wl, "unterminated comment");
                return 0;
            }
            p = e + 3;
            continue;
        }
        if (strncmp(p, "<?", 2) == 0) {
            const char *e = strstr(p, "?>");
            if (!e) {
                snprintf(why, wl, "unterminated processing instruction");
                return 0;
            }
            p = e + 2;
            continue;
        }
        if (p[1] == '/') { /* end tag */
            const char *n = p + 2, *q = n;
            while (tc_is_name((unsigned char)*q))
                q++;
            size_t len = (size_t)(q - n);
            while (isspace((unsigned char)*q))
                q++;
            if (*q != '>' || len == 0) {
                snprintf(why, wl, "malformed end tag near: %.30s", p);
                return 0;
            }
            if (depth == 0 || stack_len[depth - 1] != len ||
                strncmp(stack[depth - 1], n, len) != 0) {
                snprintf(why, wl, "end tag </%.*s> does not match", (int)len, n);
                return 0;
            }
            depth--;
            p = q + 1;
            continue;
        }
        /* start or empty tag */
        const char *n = p + 1, *q = n;
        if (!tc_is_name_start((unsigned char)*q)) {
            snprintf(why, wl, "bad tag name near: %.30s", p);
            return 0;
        }
        while (tc_is_name((unsigned char)*q))
            q++;
        size_t len = (size_t)(q - n);
        const char *attr_names[64];
        size_t attr_lens[64], n_attr = 0;
        for (;;) {
            int sp = 0;
            while (isspace((unsigned char)*q))
                q++, sp = 1;
            if (*q == '>' || (q[0] == '/' && q[1] == '>')) break;
            if (!sp || !tc_is_name_start((unsigned char)*q)) {
                snprintf(why, wl, "bad attribute in <%.*s> near: %.30s", (int)len, n, q);
                return 0;
            }
            const char *an = q;
            while (tc_is_name((unsigned char)*q))
                q++;
            size_t al = (size_t)(q - an);
            for (size_t i = 0; i < n_attr; i++)
                if (attr_lens[i] == al && strncmp(attr_names[i], an, al) == 0) {
                    snprintf(why, wl, "duplicate attribute %.*s", (int)al, an);
                    return 0;
                }
            if (n_attr < 64) {
                attr_names[n_attr] = an;
                attr_lens[n_attr++] = al;
            }
            while (isspace((unsigned char)*q))
                q++;
            if (*q != '=') {
                snprintf(why, wl, "attribute %.*s without value", (int)al, an);
                return 0;
            }
            q++;
            while (isspace((unsigned char)*q))
                q++;
            char quote = *q;
            if (quote != '"' && quote != '\'') {
                snprintf(why, wl, "unquoted attribute %.*s", (int)al, an);
                return 0;
            }
            const char *v = ++q;
            while (*q && *q != quote)
                q++;
            if (!*q) {
                snprintf(why, wl, "unterminated attribute value");
                return 0;
            }
            for (const char *c = v; c < q; c++) {
                if (*c == '<') {
                    snprintf(why, wl, "'<' in attribute value");
                    return 0;
                }
                if (*c == '&') {
                    size_t r = tc_xml_ref(c);
                    if (!r) {
                        snprintf(why, wl, "bare '&' in attribute value");
                        return 0;
                    }
                    c += r - 1;
                }
            }
            q++;
        }
        if (depth == 0) {
            if (++roots > 1) {
                snprintf(why, wl, "more than one root element");
                return 0;
            }
        }
        if (*q == '/') {
            p = q + 2;
            continue;
        }
        if (depth >= MAXD) {
            snprintf(why, wl, "nesting too deep");
            return 0;
        }
        stack[depth] = n;
        stack_len[depth++] = len;
        p = q + 1;
    }
    if (depth != 0) {
        snprintf(why, wl, "%d unclosed element(s), innermost <%.*s>", depth,
                 (int)stack_len[depth - 1], stack[depth - 1]);
        return 0;
    }
    if (roots != 1) {
        snprintf(why, wl, "no root element");
        return 0;
    }
    return 1;
}

/* ------------------------------------------------------------------ JSON (RFC 8259) */

static inline const char *tc_json_ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    return p;
}

static inline const char *tc_json_string(const char *p)
{
    if (*p != '"') return NULL;
    p++;
    while (*p && *p != '"') {
        if ((unsigned char)*p < 0x20) return NULL;
        if (*p == '\\') {
            p++;
            if (*p == 'u') {
                for (int i = 1; i <= 4; i++)
                    if (!isxdigit((unsigned char)p[i])) return NULL;
                p += 4;
            } else if (!strchr("\"\\/bfnrt", *p) || !*p) {
                return NULL;
            }
        }
        p++;
    }
    return *p == '"' ? p + 1 : NULL;
}

static inline const char *tc_json_number_end(const char *p)
{
    if (*p == '-') p++;
    if (*p == '0')
        p++;
    else if (*p >= '1' && *p <= '9')
        while (isdigit((unsigned char)*p))
            p++;
    else
        return NULL;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p)) return NULL;
        while (isdigit((unsigned char)*p))
            p++;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-') p++;
        if (!isdigit((unsigned char)*p)) return NULL;
        while (isdigit((unsigned char)*p))
            p++;
    }
    return p;
}

/** End of the JSON value at p (after leading whitespace), or NULL if invalid. */
static inline const char *tc_json_value(const char *p, int depth)
{
    if (depth > 64) return NULL;
    p = tc_json_ws(p);
    if (*p == '{' || *p == '[') {
        char close = *p == '{' ? '}' : ']';
        int obj = *p == '{';
        p = tc_json_ws(p + 1);
        if (*p == close) return p + 1;
        for (;;) {
            if (obj) {
                p = tc_json_string(tc_json_ws(p));
                if (!p) return NULL;
                p = tc_json_ws(p);
                if (*p != ':') return NULL;
                p++;
            }
            p = tc_json_value(p, depth + 1);
            if (!p) return NULL;
            p = tc_json_ws(p);
            if (*p == ',') {
                p++;
                continue;
            }
            return *p == close ? p + 1 : NULL;
        }
    }
    if (*p == '"') return tc_json_string(p);
    if (strncmp(p, "true", 4) == 0) return p + 4;
    if (strncmp(p, "false", 5) == 0) return p + 5;
    if (strncmp(p, "null", 4) == 0) return p + 4;
    return tc_json_number_end(p);
}

/** 1 if s is exactly one valid JSON value (surrounded by optional whitespace). */
static inline int tc_json_valid(const char *s)
{
    const char *e = tc_json_value(s, 0);
    return e && *tc_json_ws(e) == '\0';
}

/** Start of the value at a dotted path ("a.b.3.c": object keys, array indices) in a valid
 *  document, or NULL. Keys must not contain '.' or escapes. */
static inline const char *tc_json_find(const char *s, const char *path)
{
    const char *p = tc_json_ws(s);
    while (*path) {
        const char *dot = strchr(path, '.');
        size_t len = dot ? (size_t)(dot - path) : strlen(path);
        if (*p == '{') {
            p = tc_json_ws(p + 1);
            int found = 0;
            while (*p == '"') {
                const char *k = p + 1, *ke = tc_json_string(p);
                if (!ke) return NULL;
                p = tc_json_ws(tc_json_ws(ke) + 1);
                if ((size_t)(ke - 1 - k) == len && strncmp(k, path, len) == 0) {
                    found = 1;
                    break;
                }
                p = tc_json_ws(tc_json_value(p, 0));
                if (*p == ',') p = tc_json_ws(p + 1);
            }
            if (!found) return NULL;
        } else if (*p == '[') {
            char *endp;
            long idx = strtol(path, &endp, 10);
            if (endp != path + len || idx < 0) return NULL;
            p = tc_json_ws(p + 1);
            for (long i = 0; i < idx; i++) {
                p = tc_json_value(p, 0);
                if (!p) return NULL;
                p = tc_json_ws(p);
                if (*p != ',') return NULL;
                p = tc_json_ws(p + 1);
            }
            if (*p == ']') return NULL;
        } else {
            return NULL;
        }
        path += len;
        if (*path == '.') path++;
    }
    return p;
}

/** Number at path: 1 and *out on success (JSON null gives NaN), 0 if absent or no number. */
static inline int tc_json_number(const char *s, const char *path, double *out)
{
    const char *p = tc_json_find(s, path);
    if (!p) return 0;
    if (strncmp(p, "null", 4) == 0) {
        *out = (double)NAN;
        return 1;
    }
    if (!tc_json_number_end(p)) return 0;
    *out = strtod(p, NULL);
    return 1;
}

/** Reads a whole file into a NUL-terminated malloc'd buffer (NULL on failure). */
static inline char *tc_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    size_t r;
    while (buf && (r = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += r;
        if (cap - n - 1 == 0) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf) buf[n] = '\0';
    if (len) *len = n;
    return buf;
}

/** Number of (non-overlapping) occurrences of needle in s. */
static inline size_t tc_count(const char *s, const char *needle)
{
    size_t n = 0, l = strlen(needle);
    for (const char *p = strstr(s, needle); p; p = strstr(p + l, needle))
        n++;
    return n;
}

#endif /* BIMT_TEXTCHECK_H */
