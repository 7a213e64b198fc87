/*
 * pkgconfig_demo: the smallest C consumer of an installed libbimt, built both with
 *   cc pkgconfig_demo.c $(pkg-config --cflags --libs bimt)
 * and through find_package(bimt) (examples/cxx/CMakeLists.txt).
 * It checks that the headers and the library agree on the version, creates a task and a
 * model through the public API and prints their sizes.
 */
#include <stdio.h>

#include <bimt/bimt.h>

int main(void)
{
    if (bimt_version() != BIMT_VERSION_NUMBER) {
        fprintf(stderr, "header %s, library %s\n", BIMT_VERSION_STRING, bimt_version_string());
        return 1;
    }
    bimt_task_t *task = NULL;
    bimt_model_t *model = NULL;
    int rc = bimt_task_create(NULL, &task);
    if (rc == BIMT_OK) rc = bimt_model_create(NULL, &model);
    if (rc != BIMT_OK) {
        fprintf(stderr, "pkgconfig_demo: %s\n", bimt_status_str(rc));
        bimt_task_free(task);
        return 1;
    }
    printf("libbimt %s: task %u -> %u, model %u hidden neurons, %zu parameters\n",
           bimt_version_string(), (unsigned)bimt_task_n_in(task), (unsigned)bimt_task_n_out(task),
           (unsigned)bimt_model_n_hidden(model), bimt_model_n_params(model));
    bimt_model_free(model);
    bimt_task_free(task);
    return 0;
}
