/* libFuzzer target of the checkpoint loader (and through it the .npz reader).
 * Build: cmake -DCMAKE_C_COMPILER=clang -DBIMT_FUZZ=ON ... && make fuzz_checkpoint
 * Run:   ./tests/fuzz_checkpoint -max_total_time=60 tests/fuzz/corpus
 * Seed the corpus with real checkpoints (any bimt_trainer_save() output): the loader must
 * either return an error or three usable handles, never crash or leak. */
#include <stddef.h>
#include <stdint.h>

#include "bimt/bimt.h"
#include "train/trainer_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bimt_model_t *m = NULL;
    bimt_task_t *t = NULL;
    bimt_trainer_t *tr = NULL;
    char err[256];
    int rc = bimt__checkpoint_load_mem(data, size, &m, &t, &tr, err, sizeof err);
    if (rc == BIMT_OK) {
        /* A loaded checkpoint is consistent: its sizes agree with each other. */
        if (bimt_model_n_in(m) != bimt_task_n_in(t)) __builtin_trap();
        bimt_trainer_free(tr);
        bimt_task_free(t);
        bimt_model_free(m);
    } else if (m || t || tr) {
        __builtin_trap();
    }
    return 0;
}
