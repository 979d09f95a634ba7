import GenLabModels
import GenLabNN
import GenLabStore

/// Moving a model's weights, buffers and optimizer state into a `RunState` and back.
public enum RunCheckpoint {
    /// Parameters, buffers and counters (BatchNorm running statistics and
    /// `num_batches_tracked`, spectral-norm u and v) of every network, keyed by `state_dict` key.
    public static func capture(_ model: BuiltModel, optimizers: [String: Optimizer], rng: [String: RandomGenerator],
                               trainer: [String: [Float]] = [:], progress: RunProgress) -> RunState {
        var weights: [String: [StoredArray]] = [:], buffers: [String: [StoredArray]] = [:]
        var optimizerArrays: [String: [StoredArray]] = [:]
        for group in model.parameterGroups {
            weights[group.name] = group.parameters.map {
                StoredArray(name: $0.name, shape: $0.parameter.value.shape, floats: $0.parameter.value.values)
            }
        }
        for built in model.networks {
            buffers[built.name] = built.network.buffers.map {
                StoredArray(name: $0.name, shape: $0.tensor.shape, floats: $0.tensor.values)
            } + built.network.counters.map { StoredArray(name: $0.name, shape: [], values: .int64([Int64($0.counter.value)])) }
        }
        for (name, optimizer) in optimizers {
            let state = optimizer.state
            optimizerArrays[name] = [StoredArray(name: "step", shape: [], values: .int64([Int64(state.step)]))]
                + state.buffers.keys.sorted().map { key in
                    let values = state.buffers[key] ?? []
                    return StoredArray(name: key, shape: [values.count], floats: values)
                }
        }
        let words = rng.mapValues { g in [Int64(bitPattern: g.state.state), Int64(bitPattern: g.state.increment)] }
        return RunState(weights: weights, buffers: buffers, optimizers: optimizerArrays, rng: words, trainer: trainer, progress: progress)
    }

    /// Loads `state` into `model` and `optimizers`, checking every name and shape; returns
    /// the random generators. `path` names the run file in errors.
    public static func restore(_ state: RunState, into model: BuiltModel, optimizers: [String: Optimizer],
                               path: String) throws(RunError) -> [String: RandomGenerator] {
        func fail(_ message: String) -> RunError { RunError(.checkpoint, message, path: path) }
        guard Set(state.weights.keys) == Set(model.parameterGroups.map(\.name)) else {
            throw fail("the stored networks \(state.weights.keys.sorted()) do not fit the configuration's \(model.parameterGroups.map(\.name))")
        }
        for group in model.parameterGroups {
            let network = model.network(named: group.name)?.network
            let stored = Dictionary(uniqueKeysWithValues: (state.weights[group.name] ?? []).map { ($0.name, $0) }
                + (state.buffers[group.name] ?? []).map { ($0.name, $0) })
            let targets = group.parameters.map { ($0.name, $0.parameter.value) } + (network?.buffers.map { ($0.name, $0.tensor) } ?? [])
            let networkCounters = network?.counters ?? []
            let expected = Set(targets.map(\.0) + networkCounters.map(\.name))
            let built = (name: group.name, network: network)
            guard Set(stored.keys) == expected else {
                let missing = expected.subtracting(stored.keys).sorted(), extra = Set(stored.keys).subtracting(expected).sorted()
                throw fail("the stored \(built.name) does not fit the configuration: missing \(missing), unexpected \(extra)")
            }
            for (name, tensor) in targets {
                guard let array = stored[name], array.shape == tensor.shape else {
                    throw fail("\(built.name).\(name) is stored as \(stored[name]?.shape ?? []) but the configuration builds \(tensor.shape)")
                }
                guard let values = array.floats, values.count == tensor.count else {
                    throw fail("\(built.name).\(name) is stored as integers; GenLab stores it as float32 (damaged?)")
                }
                if let bad = values.firstIndex(where: { !$0.isFinite }) {
                    throw fail("\(built.name).\(name) holds \(values[bad]) at index \(bad): a checkpoint is finite everywhere (damaged?)")
                }
                values.withUnsafeBufferPointer { tensor.data.update(from: $0.baseAddress!, count: values.count) }
            }
            for (name, counter) in networkCounters {
                guard case .int64(let count)? = stored[name]?.values, let first = count.first else {
                    throw fail("\(built.name).\(name) is not an integer")
                }
                counter.value = Int(first)
            }
        }
        for (name, optimizer) in optimizers {
            guard let arrays = state.optimizers[name], case .int64(let step)? = arrays.first(where: { $0.name == "step" })?.values,
                  let first = step.first else {
                throw fail("no optimizer state for \(name)")
            }
            var buffers: [String: [Float]] = [:]
            for array in arrays where array.name != "step" {
                if let bad = array.floats?.first(where: { !$0.isFinite }) {
                    throw fail("optimizer \(name): \(array.name) holds \(bad): a checkpoint is finite everywhere (damaged?)")
                }
                buffers[array.name] = array.floats
            }
            do {
                try optimizer.restore(OptimizerState(step: Int(first), buffers: buffers))
            } catch {
                throw fail("optimizer \(name): \(error.message)")
            }
        }
        var generators: [String: RandomGenerator] = [:]
        for (name, words) in state.rng {
            guard words.count == 2 else { throw fail("random generator \(name) has \(words.count) words, expected 2") }
            var g = RandomGenerator(seed: 0)
            g.state = RandomGenerator.State(state: UInt64(bitPattern: words[0]), increment: UInt64(bitPattern: words[1]))
            generators[name] = g
        }
        return generators
    }
}
