/* Durations for humans (see duration.h). */
#include "duration.h"

#include <stdio.h>

void ex_fmt_duration(char *out, size_t len, double sec, int tenths)
{
    if (!(sec >= 0.0) || sec > 1e8) {
        snprintf(out, len, "?");
        return;
    }
    unsigned long t = (unsigned long)(sec + 0.5);
    if (t >= 3600)
        snprintf(out, len, "%luh%02lum", t / 3600, (t / 60) % 60);
    else if (t >= 60)
        snprintf(out, len, "%lum%02lus", t / 60, t % 60);
    else if (tenths)
        snprintf(out, len, "%.1fs", sec);
    else
        snprintf(out, len, "%lus", t);
}
