import Foundation
import GenLabTensor

/// dSprites (Matthey et al., 2017), drawn by GenLab from its factor grid: 64 × 64 binary images
/// of a square, an ellipse or a heart, at 6 scales (0.5 … 1), 40 orientations (0 … 2π, both
/// ends included, so the first and last draw the same image), 32 × 32 positions (0 … 1) —
/// 737,280 images in dSprites' order (shape slowest, position y fastest). A procedural
/// look-alike: the original was drawn by another renderer, so its pixels differ.
///
/// How a shape is drawn: a pixel (x, y) (its centre at x + ½, y + ½, y downwards) is on (255)
/// when its centre, moved to the shape's centre and turned back by the orientation θ
/// (counter-clockwise on the screen), is inside the shape; else off (0). The centre is at
/// (16 + 31·position_x, 16 + 31·position_y) pixels, so each position step moves the shape by
/// one pixel and every shape stays inside the image. At scale s: the square has sides of 20·s
/// pixels; the ellipse semi-axes of 12·s (along θ) and 6·s; the heart is the inside of
/// (X² + Y² − 1)³ − X²·Y³ = 0, with X = u / (10·s) and Y = 0.125 − v / (10·s), pointing
/// down at θ = 0.
public struct DSprites: ImageSource {
    public let imageShape = [1, 64, 64]

    public init() {}

    /// shape (1 square, 2 ellipse, 3 heart), scale, orientation, position_x, position_y.
    public static let grid = FactorGrid([
        .init(name: "shape", values: [1, 2, 3]),
        .init(name: "scale", values: FactorGrid.linspace(0.5, 1, 6)),
        .init(name: "orientation", values: FactorGrid.linspace(0, 2 * Double.pi, 40)),
        .init(name: "position_x", values: FactorGrid.linspace(0, 1, 32)),
        .init(name: "position_y", values: FactorGrid.linspace(0, 1, 32)),
    ])

    public static let classNames = ["square", "ellipse", "heart"]

    /// How many grid images the test set holds (see `dataset`).
    public static let testCount = 10_000

    /// The dataset: every grid image for training, labelled by its shape (0 square, 1 ellipse,
    /// 2 heart), its factors in `factors`; as test images (dSprites has no test split), 10,000
    /// distinct grid images drawn by PCG32 (seed 0, stream 41) — the first 10,000 of a
    /// Fisher–Yates shuffle of the grid, in that order.
    public static func dataset() -> Dataset {
        let source = DSprites(), count = grid.count, perShape = count / 3
        let train = ImageSet(source: source, indices: Array(0..<count), labels: (0..<count).map { Int32($0 / perShape) })
        var order = Array(0..<count)
        var generator = RandomGenerator(seed: 0, stream: .proceduralTest)
        for i in 0..<testCount {
            order.swapAt(i, i + generator.nextInt(below: count - i))
        }
        let chosen = Array(order.prefix(testCount))
        let test = ImageSet(source: source, indices: chosen, labels: chosen.map { Int32($0 / perShape) })
        return Dataset(train: train, test: test, classNames: classNames, factors: grid, gridImages: train)
    }

    public func render(_ index: Int, into target: UnsafeMutablePointer<UInt8>) {
        let grid = DSprites.grid
        let f = grid.indices(of: index)
        let shape = f[0], scale = Float(grid.factors[1].values[f[1]]), angle = grid.factors[2].values[f[2]]
        let cx = 16 + 31 * Float(grid.factors[3].values[f[3]]), cy = 16 + 31 * Float(grid.factors[4].values[f[4]])
        let (c, s) = (Float(cos(angle)), Float(sin(angle)))
        target.update(repeating: 0, count: 64 * 64)
        // every shape lies within 14.2·s pixels of its centre
        let reach = 14.2 * scale
        let x0 = max(0, Int((cx - reach).rounded(.down))), x1 = min(63, Int((cx + reach).rounded(.up)))
        let y0 = max(0, Int((cy - reach).rounded(.down))), y1 = min(63, Int((cy + reach).rounded(.up)))
        for y in y0...y1 {
            let dy = Float(y) + 0.5 - cy
            for x in x0...x1 {
                let dx = Float(x) + 0.5 - cx
                // turned back by θ; θ counter-clockwise on a screen whose y points down
                let u = c * dx - s * dy, v = s * dx + c * dy
                if DSprites.inside(shape, u: u, v: v, scale: scale) { target[y * 64 + x] = 255 }
            }
        }
    }

    /// Whether the point (u, v) of the shape's own frame is inside shape `shape` (0 square,
    /// 1 ellipse, 2 heart) at `scale`.
    static func inside(_ shape: Int, u: Float, v: Float, scale: Float) -> Bool {
        switch shape {
        case 0:
            let half = 10 * scale
            return abs(u) <= half && abs(v) <= half
        case 1:
            let (a, b) = (12 * scale, 6 * scale)
            return (u * u) / (a * a) + (v * v) / (b * b) <= 1
        default:
            let r = 10 * scale, x = u / r, y = 0.125 - v / r
            let q = x * x + y * y - 1
            return q * q * q - x * x * y * y * y <= 0
        }
    }
}
