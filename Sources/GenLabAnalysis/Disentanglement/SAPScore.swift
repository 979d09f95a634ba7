/// The separated attribute predictability (Kumar et al., 2018), as disentanglement_lib
/// computes it (`evaluation/metrics/sap_score.py`): a score matrix [code][factor] of how well
/// each code alone predicts each factor, and the mean over the factors of the gap between their
/// two best codes.
public enum SAPScore {
    /// For continuous factors: the squared correlation of code i and factor j (0 for a code
    /// whose variance is at most 1e-12). `codes` [code][point], `factors` [factor][point].
    public static func continuousMatrix(codes: [[Double]], factors: [[Double]]) -> [[Double]] {
        func moments(_ a: [Double], _ b: [Double]) -> (varA: Double, varB: Double, cov: Double) {
            let n = Double(a.count), meanA = a.reduce(0, +) / n, meanB = b.reduce(0, +) / n
            var (va, vb, c) = (0.0, 0.0, 0.0)
            for (x, y) in zip(a, b) {
                va += (x - meanA) * (x - meanA)
                vb += (y - meanB) * (y - meanB)
                c += (x - meanA) * (y - meanB)
            }
            return (va / (n - 1), vb / (n - 1), c / (n - 1))
        }
        return codes.map { code in
            factors.map { factor in
                let m = moments(code, factor)
                return m.varA > 1e-12 ? m.cov * m.cov / (m.varA * m.varB) : 0
            }
        }
    }

    /// For discrete factors (disentanglement_lib's default): the accuracy on the test points of
    /// a `LinearSVC(C: 0.01, class_weight: "balanced")` predicting factor j from code i alone,
    /// trained on the training points. Codes [code][point], factors [factor][point].
    public static func discreteMatrix(codes: [[Double]], factors: [[Int]], testCodes: [[Double]], testFactors: [[Int]]) -> [[Double]] {
        zip(codes, testCodes).map { code, testCode in
            zip(factors, testFactors).map { factor, testFactor in
                LinearSVC(features: code.map { [$0] }, labels: factor, c: 0.01)
                    .accuracy(features: testCode.map { [$0] }, labels: testFactor)
            }
        }
    }

    /// The mean over the factors (columns) of the gap between their two largest scores.
    public static func meanGap(_ matrix: [[Double]]) -> Double {
        let factors = matrix.first?.count ?? 0
        guard factors > 0, matrix.count > 1 else { return 0 }
        let gaps = (0..<factors).map { j -> Double in
            let column = matrix.map { $0[j] }.sorted()
            return column[column.count - 1] - column[column.count - 2]
        }
        return gaps.reduce(0, +) / Double(factors)
    }
}
