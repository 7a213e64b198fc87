# Tests of the Julia bindings. Run from the repository root after building libbimt:
#   BIMT_LIBRARY=$PWD/build/release/lib/libbimt.so julia --project=bindings/julia \
#       -e 'using Pkg; Pkg.test()'
# Expectations are independent of the code under test: numpy-free re-computations in Julia
# of the dynamics, the connection cost, Adam and the distance matrix; round trips.
using Test
using Bimt

const B = Bimt

sigmoid(x) = 1 / (1 + exp(-x))

"Julia re-implementation of the tanh network (no noise) in the (features, B, T) layout."
function reference_forward(m, x)
    p = get_params(m)
    a = p.alpha
    W = Float64.(tensor(m, :W_rec))     # W[j, i]: from j to i
    Wi = Float64.(tensor(m, :W_in))     # (n_in, n_hidden)
    Wo = Float64.(tensor(m, :W_out))    # (n_hidden, n_out)
    bh = Float64.(tensor(m, :b_h))
    bo = Float64.(tensor(m, :b_o))
    nin, nb, nt = size(x)
    h = zeros(n_hidden(m), nb)
    hs = zeros(n_hidden(m), nb, nt)
    os = zeros(n_out(m), nb, nt)
    for t in 1:nt
        h = (1 - a) .* h .+ a .* tanh.(W' * h .+ Wi' * Float64.(x[:, :, t]) .+ bh)
        hs[:, :, t] = h
        os[:, :, t] = Wo' * h .+ bo
    end
    return hs, os
end

@testset "Bimt" begin
    @testset "library" begin
        @test B.check_struct_sizes()
        @test library_version() == v"0.3.0"
        @test unsafe_string(B.bimt_status_str(B.E_SHAPE)) != unsafe_string(B.bimt_status_str(0))
        @test rule_names()[1] == "fdgo" && length(rule_names()) == 20
        @test rule_index("dm1") == 6 && rule_name(6) == "dm1"
        @test_throws ArgumentError rule_name(20)
        @test_throws ArgumentError rule_index("nope")
    end

    @testset "tasks" begin
        t = TaskSuite(n_eachring = 8, seed = 5)
        @test n_in(t) == 37 && n_out(t) == 9
        b = sample(t, "dm1", 6)
        T = size(b.x, 3)
        @test size(b.x) == (37, 6, T) && size(b.y) == (9, 6, T) && size(b.y_loc) == (6, T)
        @test first(b.epochs).first == "fix1"
        g = sample_test(t, 0)
        g2 = sample_test(t, "fdgo")
        @test g.x == g2.x
        # outputs whose sigmoid equals the targets are correct on every trial
        y = clamp.(Float64.(b.y), 1e-4, 1 - 1e-4)
        correct, mean = performance(t, b, log.(y ./ (1 .- y)))
        @test mean == 1.0 && all(correct .== 1)
        sub = TaskSuite(n_eachring = 8, rules = ["fdgo", 6])
        @test rule_enabled(sub, 6) && !rule_enabled(sub, 1)
        @test_throws BimtError TaskSuite(dt_ms = NaN)
        @test_throws BimtError sample(t, 25, 4)
        close(t)
        @test !isopen(t)
        @test_throws BimtError sample(t, 0, 4)
        close(t)
    end

    @testset "model" begin
        m = Model(grid_side = 4, n_in = 5, n_out = 3, activation = :tanh, init = :gauss,
                  init_scale = 1.0, seed = 3)
        @test n_hidden(m) == 16 && grid_side(m) == 4
        @test n_params(m) == 16 * 16 + 16 * 5 + 3 * 16 + 16 + 3
        W = tensor(m, :W_rec)
        @test size(W) == (16, 16) && params(m)[1:256] == vec(W)
        x = randn(Float32, 5, 4, 7)
        forward!(m, x)
        hs, os = reference_forward(m, x)
        @test isapprox(states(m), hs; rtol = 1e-4, atol = 1e-5)
        @test isapprox(outputs(m), os; rtol = 1e-4, atol = 1e-5)
        y = rand(3, 4, 7)
        mask = ones(3, 4, 7)
        @test loss!(m, y, mask) ≈ sum((y .- sigmoid.(os)) .^ 2) / length(y) rtol = 1e-4
        zero_grad!(m)
        backward!(m)
        @test any(grads(m) .!= 0)
        # connection cost: lambda (|p|_1 + A sum D .* |W|)
        D = distances(m)
        want = 0.5 * (sum(abs.(Float64.(params(m)))) + 2 * sum(D .* abs.(W)))
        @test connection_cost!(m, 0.5, 2.0) ≈ want rtol = 1e-5
        @test distance_cost(m, 2.0) ≈ 2 * sum(D .* abs.(W)) rtol = 1e-5
        # distances from slots
        s = slots(m)
        r, c = divrem.(Int.(s), 4) |> v -> (first.(v), last.(v))
        @test D[2, 1] ≈ (abs(r[1] - r[2]) + abs(c[1] - c[2])) / 4
        @test distance(m, 1, 2) ≈ D[2, 1]
        before = outputs(m)
        res = swap!(m; top_k = 16, A = 1.0)
        @test res.cost_after <= res.cost_before
        forward!(m, x)
        @test outputs(m) == before          # swaps never change the function
        @test sort(slots(m)) == collect(0:15)
        set_slots!(m, collect(15:-1:0))
        @test slots(m) == collect(UInt32, 15:-1:0)
        @test_throws BimtError set_slots!(m, zeros(Int, 16))
        g = weights_grid_order(m)
        @test size(g.W_rec) == (16, 16)
        c2 = copy(m)
        @test params(c2) == params(m)
        @test_throws DimensionMismatch forward!(m, randn(Float32, 4, 2, 3))
        @test_throws BimtError Model(alpha = NaN)
        @test_throws BimtError outputs(c2)          # no forward on a clone
        close(m)
        @test_throws BimtError n_hidden(m)
    end

    @testset "positions" begin
        # seRNN's 5 x 5 x 4 grid as caller positions, Euclidean: column s is slot s-1
        P = hcat([Float64[s ÷ 20, s ÷ 4 % 5, s % 4] for s in 0:99]...)
        m = Model(positions = P, distance = :euclidean, n_in = 4, n_out = 2)
        @test n_hidden(m) == 100 && grid_side(m) == 0 && dim(m) == 3
        @test distance_kind(m) == :euclidean
        @test slot_positions(m) == P
        set_slots!(m, collect(99:-1:0))
        s = slots(m)
        @test all(distance(m, i, j) == sqrt(sum(abs2, P[:, s[i]+1] .- P[:, s[j]+1]))
                  for i in 1:100, j in 1:100)
        prof = weight_distance_profile(m)
        @test length(prof.distance) == 20 && sum(prof.counts) == 100 * 99
        @test_throws BimtError Model(positions = fill(NaN, 2, 3))
        @test_throws BimtError Model(positions = zeros(2, 3), io_layout = 1)
        g = Model(grid_side = 3, n_in = 2, n_out = 2)
        @test dim(g) == 2 && distance_kind(g) == :manhattan
        @test slot_positions(g)[:, 4] == [1 / 3, 0.0]
    end

    @testset "optimizer" begin
        o = Optimizer(10; lr = 0.01)
        p = zeros(Float32, 10)
        g = randn(10)
        step!(o, p, g)
        # first Adam step moves every parameter by lr * sign(g) (bias-corrected)
        @test isapprox(p, -0.01 .* sign.(g); atol = 1e-5)
        @test n_steps(o) == 1
        m1, v1 = moments(o)
        @test isapprox(m1, 0.1 .* g; rtol = 1e-5)
        @test_throws BimtError set_lr!(o, -1.0)
        close(o)
    end

    @testset "trainer and checkpoint" begin
        t = TaskSuite(n_eachring = 8, seed = 2)
        m = Model(task = t, grid_side = 4, seed = 2)
        tr = Trainer(m, t; batch_size = 8, eval_interval = 0, swap_interval = 3)
        info = step!(tr)
        @test info.step == 1 && info.trials == 8
        seen = Int[]
        run!(tr, 5; callback = i -> (push!(seen, Int(i.step)); i.step >= 4))
        @test seen == [2, 3, 4] && n_steps(tr) == 4
        @test_throws ErrorException run!(tr, 3; callback = i -> error("boom"))
        perf = evaluate(tr, 8)
        @test length(perf) == 20 && all(0 .<= perf .<= 1)
        @test last_eval(tr) == perf
        set_param!(tr, :lambda, 2e-4)
        @test lambda_at(tr, 0) ≈ 2e-4
        @test n_steps(Optimizer(tr)) == n_steps(tr)
        path = joinpath(mktempdir(), "brain.npz")
        save(tr, path)
        tr2 = load_checkpoint(path)
        @test params(tr2.model) == params(m) && slots(tr2.model) == slots(m)
        a, b = step!(tr), step!(tr2)
        @test a.loss == b.loss && a.rule == b.rule      # bit-identical resume
        @test_throws BimtError load_checkpoint(joinpath(mktempdir(), "missing.npz"))
        close(m)                  # closes the trainer first
        @test !isopen(tr)
    end

    @testset "analysis and figures" begin
        t = TaskSuite(n_eachring = 8)
        m = Model(task = t, grid_side = 4)
        tv = task_variance(m, t)
        @test size(tv) == (16, 20) && all(tv .>= 0)
        imp = important_neurons(tv)
        @test imp == (vec(sum(Float64.(tv); dims = 2)) .> 1e-3)
        ntv = normalize_task_variance(tv)
        cl = cluster_task_variance(tv)
        @test length(cl.labels) == 16
        an = anatomy_metrics(m, cl.labels; n_shuffles = 20)
        @test length(an.isolated_null) == 20 && an.anatomy.n_shuffles == 20
        w = wiring_stats(m; tv = tv)
        @test w.n_active_neurons == count(imp)
        prof = weight_distance_profile(m)
        @test length(prof.mean_abs_w) == 7
        dir = mktempdir()
        plot_network(m, joinpath(dir, "n.svg"); labels = cl.labels)
        plot_task_variance(ntv, joinpath(dir, "tv.svg"); labels = cl.labels)
        plot_clusters_grid(m, cl.labels, joinpath(dir, "c.svg"); ntv = ntv)
        plot_performance(fill(0.5, 20), joinpath(dir, "p.svg"))
        plot_importance_grid(m, tv .+ 1f-9, joinpath(dir, "i.svg"))
        plot_weight_distance(prof.mean_abs_w, grid_side(m), joinpath(dir, "w.svg");
                             counts = prof.counts)
        plot_null(0.3, an.isolated_null, joinpath(dir, "null.svg"); title = "isolated")
        @test all(isfile(joinpath(dir, f)) for f in ("n.svg", "tv.svg", "c.svg", "p.svg",
                                                     "i.svg", "w.svg", "null.svg"))
        @test_throws BimtError plot_performance(fill(NaN, 20), joinpath(dir, "bad.svg"))
        index = write_report(joinpath(dir, "report"), m, t; n_shuffles = 10)
        @test isfile(index)
    end
end
