import GenLabNN
/// An optimizer and its settings, PyTorch's names and defaults.
public enum OptimizerSpec: Equatable, Sendable {
    case adam(lr: Double, betas: (Double, Double), eps: Double, weightDecay: Double)
    case rmsprop(lr: Double, alpha: Double, eps: Double, weightDecay: Double)
    case sgd(lr: Double, momentum: Double, weightDecay: Double)

    public static func == (a: OptimizerSpec, b: OptimizerSpec) -> Bool {
        switch (a, b) {
        case let (.adam(l1, b1, e1, w1), .adam(l2, b2, e2, w2)): l1 == l2 && b1 == b2 && e1 == e2 && w1 == w2
        case let (.rmsprop(l1, a1, e1, w1), .rmsprop(l2, a2, e2, w2)): l1 == l2 && a1 == a2 && e1 == e2 && w1 == w2
        case let (.sgd(l1, m1, w1), .sgd(l2, m2, w2)): l1 == l2 && m1 == m2 && w1 == w2
        default: false
        }
    }

    static let names = ["adam", "rmsprop", "sgd"]

    /// Reads `adam`, `{adam: {lr: 2.0e-4, betas: [0.5, 0.999]}}`, `{rmsprop: {lr: 5.0e-5}}`,
    /// `{sgd: {lr: 0.1, momentum: 0.9}}`.
    static func parse(_ node: YAMLNode, path: String) throws(SpecError) -> OptimizerSpec {
        guard let (name, arguments) = node.namedChoice else {
            throw SpecError(.invalidValue, "'\(path)' must name one optimizer (adam, rmsprop or sgd), e.g. '{adam: {lr: 1.0e-3}}'", at: node.location)
        }
        guard names.contains(name) else {
            throw SpecError(.unknownName, NearestKey.unknownMessage("optimizer", name, valid: names, in: path), at: node.location)
        }
        let p = "\(path).\(name)"
        switch name {
        case "adam":
            let f = try arguments?.fields(p, allowed: ["lr", "betas", "eps", "weight_decay"])
            var betas = (0.9, 0.999)
            if let b = f?["betas"] {
                let items = try b.list(f!.path("betas"))
                guard items.count == 2 else {
                    throw SpecError(.invalidValue, "'\(f!.path("betas"))' must be two numbers [β1, β2], found \(items.count)", at: b.location)
                }
                betas = (try items[0].double("\(f!.path("betas"))[0]", min: 0, max: 0.999999),
                         try items[1].double("\(f!.path("betas"))[1]", min: 0, max: 0.999999))
            }
            return .adam(lr: try lr(f, default: 1e-3), betas: betas,
                         eps: try f?["eps"]?.double(f!.path("eps"), exclusiveMin: 0) ?? 1e-8,
                         weightDecay: try weightDecay(f))
        case "rmsprop":
            let f = try arguments?.fields(p, allowed: ["lr", "alpha", "eps", "weight_decay"])
            return .rmsprop(lr: try lr(f, default: 1e-2),
                            alpha: try f?["alpha"]?.double(f!.path("alpha"), min: 0, max: 1) ?? 0.99,
                            eps: try f?["eps"]?.double(f!.path("eps"), exclusiveMin: 0) ?? 1e-8,
                            weightDecay: try weightDecay(f))
        default:
            let f = try arguments?.fields(p, allowed: ["lr", "momentum", "weight_decay"])
            guard let f, f["lr"] != nil else {
                throw SpecError(.missingKey, "'\(p).lr' is required: SGD has no default learning rate", at: node.location)
            }
            return .sgd(lr: try lr(f, default: 0),
                        momentum: try f["momentum"]?.double(f.path("momentum"), min: 0, max: 1) ?? 0,
                        weightDecay: try weightDecay(f))
        }
    }

    private static func lr(_ f: Fields?, default value: Double) throws(SpecError) -> Double {
        try f?["lr"]?.double(f!.path("lr"), exclusiveMin: 0) ?? value
    }

    private static func weightDecay(_ f: Fields?) throws(SpecError) -> Double {
        try f?["weight_decay"]?.double(f!.path("weight_decay"), min: 0) ?? 0
    }
}
