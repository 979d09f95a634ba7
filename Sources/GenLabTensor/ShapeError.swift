/// A tensor or layer received data of a shape it cannot work with.
public struct ShapeError: Error, CustomStringConvertible, Equatable {
    /// What did not fit, in words.
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
