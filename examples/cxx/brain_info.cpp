/*
 * brain_info: a C++17 host of libbimt, built by CMake against an installed prefix with
 * find_package(bimt) and target_link_libraries(... bimt::bimt) (see CMakeLists.txt here).
 *
 * It owns the C handles with std::unique_ptr and custom deleters, turns status codes into
 * exceptions that carry the handle's message, trains a small BIMT brain for a few steps with
 * a lambda as the progress callback (payload = pointer to a C++ object), swaps, saves a
 * checkpoint and loads it back.
 *
 * Usage: brain_info [steps] [checkpoint.npz]     (defaults: 20, brain_info.npz)
 */
#include <bimt/bimt.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace
{

struct TaskDeleter {
    void operator()(bimt_task_t *t) const { bimt_task_free(t); }
};
struct ModelDeleter {
    void operator()(bimt_model_t *m) const { bimt_model_free(m); }
};
struct TrainerDeleter {
    void operator()(bimt_trainer_t *t) const { bimt_trainer_free(t); }
};
using Task = std::unique_ptr<bimt_task_t, TaskDeleter>;
using Model = std::unique_ptr<bimt_model_t, ModelDeleter>;
using Trainer = std::unique_ptr<bimt_trainer_t, TrainerDeleter>;

void check(int rc, const std::string &what, const char *msg = "")
{
    if (rc != BIMT_OK)
        throw std::runtime_error(what + ": " + (msg && *msg ? msg : bimt_status_str(rc)));
}

struct Progress {
    std::vector<double> losses;
    unsigned swaps = 0;
};

} // namespace

int main(int argc, char **argv)
try {
    const unsigned long steps = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 20;
    const std::string path = argc > 2 ? argv[2] : "brain_info.npz";
    if (bimt_version() / 10000 != BIMT_VERSION_MAJOR)
        throw std::runtime_error("libbimt major version differs from the headers");

    bimt_task_params tp;
    bimt_task_params_init(&tp);
    tp.n_eachring = 8;
    tp.rule_mask = (1u << BIMT_RULE_FDGO) | (1u << BIMT_RULE_DM1) | (1u << BIMT_RULE_DMSGO);
    bimt_task_t *t = nullptr;
    check(bimt_task_create(&tp, &t), "bimt_task_create");
    Task task(t);

    bimt_model_params mp;
    bimt_model_params_init(&mp);
    mp.grid_side = 5;
    mp.n_in = static_cast<uint32_t>(bimt_task_n_in(task.get()));
    mp.n_out = static_cast<uint32_t>(bimt_task_n_out(task.get()));
    bimt_model_t *m = nullptr;
    check(bimt_model_create(&mp, &m), "bimt_model_create");
    Model model(m);

    bimt_trainer_params trp;
    bimt_trainer_params_init(&trp);
    trp.batch_size = 16;
    trp.swap_interval = 5;
    trp.eval_interval = 0;
    bimt_trainer_t *r = nullptr;
    check(bimt_trainer_create(model.get(), task.get(), &trp, &r), "bimt_trainer_create");
    Trainer trainer(r);

    Progress progress;
    auto cb = [](const bimt_step_info *info, void *payload) -> int {
        auto *p = static_cast<Progress *>(payload);
        p->losses.push_back(info->loss);
        p->swaps += info->n_swaps;
        return 0;
    };
    check(bimt_trainer_run(trainer.get(), static_cast<uint32_t>(steps), cb, &progress),
          "bimt_trainer_run", bimt_trainer_errmsg(trainer.get()));
    if (progress.losses.size() != steps) throw std::runtime_error("callback not called per step");

    check(bimt_trainer_save(trainer.get(), path.c_str()), "bimt_trainer_save",
          bimt_trainer_errmsg(trainer.get()));
    bimt_model_t *m2 = nullptr;
    bimt_task_t *t2 = nullptr;
    bimt_trainer_t *r2 = nullptr;
    char err[256] = "";
    check(bimt_checkpoint_load(path.c_str(), &m2, &t2, &r2), "bimt_checkpoint_load", err);
    Task task2(t2);
    Model model2(m2);
    Trainer trainer2(r2);
    if (bimt_trainer_steps(trainer2.get()) != steps)
        throw std::runtime_error("checkpoint step count differs");

    std::printf("brain_info: libbimt %s, %u hidden neurons, %lu steps, loss %.4f -> %.4f, "
                "%u swaps, checkpoint %s reloaded at step %llu\n",
                bimt_version_string(), static_cast<unsigned>(bimt_model_n_hidden(model.get())),
                steps, progress.losses.empty() ? 0.0 : progress.losses.front(),
                progress.losses.empty() ? 0.0 : progress.losses.back(), progress.swaps,
                path.c_str(), static_cast<unsigned long long>(bimt_trainer_steps(trainer2.get())));
    trainer2.reset(); // a trainer borrows its model and task: free it first
    trainer.reset();
    return 0;
} catch (const std::exception &e) {
    std::fprintf(stderr, "brain_info: %s\n", e.what());
    return 1;
}
