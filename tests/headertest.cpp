// Compiles the umbrella header alone, pedantic and with -Werror (as C++).
#include "bimt/bimt.h"

int bimt_headertest_cxx();
int bimt_headertest_cxx()
{
    return BIMT_VERSION_NUMBER > 0 && BIMT_N_RULES == 20;
}
