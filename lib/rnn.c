/* Forward pass, losses and backpropagation through time of the leaky RNN. */
#include <stdlib.h>

#include "model_internal.h"

struct bimt_rnn_ws {
    int unused;
};

void bimt__rnn_ws_free(struct bimt_rnn_ws *ws) { free(ws); }
