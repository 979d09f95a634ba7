import GenLabNN
import GenLabTestSupport
import Testing

/// Every optimizer case of the PyTorch reference: parameters after each of three steps.
@Suite struct GoldenOptimizerTests {
    static func makeOptimizer(_ name: String, _ parameters: [NamedParameter]) -> Optimizer {
        switch name {
        case "adam_default": Adam(parameters, lr: 1e-3, betas: (0.9, 0.999), eps: 1e-8)
        case "adam_gan": Adam(parameters, lr: 2e-4, betas: (0.5, 0.999))
        case "adam_weight_decay": Adam(parameters, lr: 1e-3, weightDecay: 1e-2)
        case "rmsprop_wgan": RMSprop(parameters, lr: 5e-5, alpha: 0.99, eps: 1e-8)
        default: SGD(parameters, lr: 0.1, momentum: 0.9)
        }
    }

    @Test(arguments: ["adam_default", "adam_gan", "adam_weight_decay", "rmsprop_wgan", "sgd_momentum"])
    func optimizerMatchesPyTorch(_ name: String) throws {
        let c = try #require(Golden.named(name))
        let start = try #require(c.param)
        let parameter = Parameter(shape: start.shape)
        #expect(Golden.load(start, into: parameter.value))
        let optimizer = GoldenOptimizerTests.makeOptimizer(name, [("p", parameter)])
        let grads = try #require(c.grads), after = try #require(c.paramsAfterEachStep)
        #expect(grads.count == 3 && after.count == 3)
        for (step, (grad, expected)) in zip(grads, after).enumerated() {
            #expect(Golden.load(grad, into: parameter.grad))
            optimizer.step()
            #expect(Golden.mismatches(parameter.value.values, expected) == [], "step \(step + 1)")
        }
    }

    /// Saving after two steps and restoring into a fresh optimizer gives the same third step.
    @Test(arguments: ["adam_weight_decay", "rmsprop_wgan", "sgd_momentum"])
    func stateRestoresExactly(_ name: String) throws {
        let c = try #require(Golden.named(name))
        let grads = try #require(c.grads)
        let a = Parameter(shape: try #require(c.param).shape), b = Parameter(shape: a.value.shape)
        #expect(Golden.load(try #require(c.param), into: a.value))
        let first = GoldenOptimizerTests.makeOptimizer(name, [("p", a)])
        for grad in grads.prefix(2) {
            #expect(Golden.load(grad, into: a.grad))
            first.step()
        }
        b.value.copy(from: a.value)
        let second = GoldenOptimizerTests.makeOptimizer(name, [("p", b)])
        try second.restore(first.state)
        #expect(second.state == first.state)
        #expect(Golden.load(grads[2], into: a.grad) && Golden.load(grads[2], into: b.grad))
        first.step()
        second.step()
        #expect(a.value.values == b.value.values)
    }

    @Test func restoreRejectsMismatchedState() throws {
        let p = Parameter(shape: [2, 3])
        let adam = Adam([("w", p)])
        #expect(throws: OptimizerStateError.self) {
            try adam.restore(OptimizerState(step: 1, buffers: ["exp_avg/w": [0, 0]]))
        }
    }

    @Test func clampingLimitsEveryParameter() {
        let p = Parameter(shape: [4])
        for (i, v) in [-1, -0.005, 0.02, 3].enumerated() { p.value[i] = Float(v) }
        RMSprop([("w", p)], lr: 5e-5).clampParameters(0.01)
        #expect(p.value.values == [-0.01, -0.005, 0.01, 0.01])
    }

    /// Adam's step over a tensor large enough to be shared by two threads gives the bits of
    /// one thread.
    @Test func adamGivesTheSameBitsOnTwoThreads() {
        func run(threads: Int) -> [UInt32] {
            BLAS.setThreads(threads)
            defer { BLAS.setThreads(1) }
            var generator = RandomGenerator(seed: 11)
            let parameter = Parameter(shape: [70_001])
            generator.fillNormal(parameter.value.buffer)
            let adam = Adam([("weight", parameter)], lr: 1e-3, betas: (0.5, 0.999), weightDecay: 1e-2)
            for _ in 0..<3 {
                generator.fillNormal(parameter.grad.buffer)
                adam.step()
            }
            return parameter.value.values.map(\.bitPattern)
        }
        let same = run(threads: 1) == run(threads: 2)
        #expect(same)
    }
}
