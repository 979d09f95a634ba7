/// Newton's method with backtracking (Armijo) line search for a smooth, strictly convex
/// function of a few dozen variables, in double precision; the linear systems solved by
/// Cholesky factorisation. The fitting core of the classifiers the disentanglement metrics
/// train (each fitted to its unique optimum, where scikit-learn stops at a tolerance).
struct NewtonMinimizer {
    /// The function at θ: its value, gradient and Hessian (row-major, n × n); the Hessian may
    /// be a generalised one (piecewise quadratic functions).
    typealias Objective = (_ theta: [Double]) -> (value: Double, gradient: [Double], hessian: [Double])

    /// Steps are taken until the Newton decrement ½·gᵀH⁻¹g falls below this times the
    /// function's size (the θ found is then within about its square root of the optimum, in
    /// the Hessian's norm; the gradient's rounding leaves decrements near 1e-19 of a value
    /// of 100), or no step decreases the function.
    var tolerance = 1e-16
    var maxIterations = 200

    /// θ minimising `objective`, from `start`.
    func minimize(from start: [Double], _ objective: Objective) -> [Double] {
        var theta = start
        var current = objective(theta)
        for _ in 0..<maxIterations {
            guard let direction = NewtonMinimizer.solve(current.hessian, current.gradient.map { -$0 }) else { break }
            let decrement = -zip(direction, current.gradient).reduce(0) { $0 + $1.0 * $1.1 }
            if decrement / 2 <= tolerance * max(1, abs(current.value)) { break }
            var step = 1.0, moved = false
            while step > 1e-12 {
                let candidate = zip(theta, direction).map { $0 + step * $1 }
                let next = objective(candidate)
                if next.value <= current.value - 1e-4 * step * decrement {
                    (theta, current, moved) = (candidate, next, true)
                    break
                }
                step /= 2
            }
            if !moved { break }
        }
        return theta
    }

    /// x with A·x = b for a symmetric positive definite A (n × n, row-major); nil when the
    /// factorisation meets a pivot that is not positive.
    static func solve(_ a: [Double], _ b: [Double]) -> [Double]? {
        let n = b.count
        var l = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0...i {
                var sum = a[i * n + j]
                for k in 0..<j { sum -= l[i * n + k] * l[j * n + k] }
                if i == j {
                    guard sum > 0 else { return nil }
                    l[i * n + i] = sum.squareRoot()
                } else {
                    l[i * n + j] = sum / l[j * n + j]
                }
            }
        }
        var y = b
        for i in 0..<n {
            for k in 0..<i { y[i] -= l[i * n + k] * y[k] }
            y[i] /= l[i * n + i]
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
            for k in (i + 1)..<n { y[i] -= l[k * n + i] * y[k] }
            y[i] /= l[i * n + i]
        }
        return y
    }
}
