import GenLabData

/// One `Summary.Value` of an event: a scalar, an image, a text, or a record of TensorBoard's
/// HParams plugin; `encoded` is its protocol-buffer message.
public enum SummaryValue {
    /// `simple_value`, drawn by the Scalars dashboard.
    case scalar(tag: String, value: Float)
    /// `Summary.Image` (a PNG), shown by the Images dashboard.
    case image(tag: String, grid: ImageGrid, png: [UInt8])
    /// A string tensor of the text plugin (markdown).
    case text(tag: String, markdown: String)
    /// An `HParamsPluginData` message (`HParamsRecord`) under one of the plugin's tags.
    case hparams(tag: String, content: ProtobufWriter)

    /// `SummaryMetadata.DataClass.DATA_CLASS_TENSOR`.
    private static let tensorClass: Int64 = 2
    /// `tensorflow.DataType.DT_STRING`.
    private static let stringType: Int64 = 7
    /// The empty float tensor HParams records carry (`metadata.NULL_TENSOR`: DT_FLOAT, shape
    /// [0]).
    private static let nullTensor: ProtobufWriter = {
        var shape = ProtobufWriter(), tensor = ProtobufWriter()
        shape.message(2, ProtobufWriter())  // one dimension, of size 0
        tensor.integer(1, 1)  // DT_FLOAT
        tensor.message(2, shape)
        return tensor
    }()

    /// `SummaryMetadata` naming `plugin`, holding `content`, of the tensor data class.
    private static func metadata(plugin: String, content: [UInt8] = []) -> ProtobufWriter {
        var data = ProtobufWriter()
        data.string(1, plugin)
        if !content.isEmpty { data.data(2, content) }
        var metadata = ProtobufWriter()
        metadata.message(1, data)
        metadata.integer(4, tensorClass)
        return metadata
    }

    /// The `Summary.Value` message.
    var encoded: ProtobufWriter {
        var value = ProtobufWriter()
        switch self {
        case .scalar(let tag, let number):
            value.string(1, tag)
            value.float(2, number)
        case .image(let tag, let grid, let png):
            var image = ProtobufWriter()
            image.integer(1, Int64(grid.height))
            image.integer(2, Int64(grid.width))
            image.integer(3, Int64(grid.channels))
            image.data(4, png)
            value.string(1, tag)
            value.message(4, image)
        case .text(let tag, let markdown):
            var tensor = ProtobufWriter()
            tensor.integer(1, SummaryValue.stringType)
            tensor.message(2, ProtobufWriter())
            tensor.string(8, markdown)
            value.string(1, tag)
            value.message(9, SummaryValue.metadata(plugin: "text"))
            value.message(8, tensor)
        case .hparams(let tag, let content):
            value.string(1, tag)
            value.message(9, SummaryValue.metadata(plugin: "hparams", content: content.bytes))
            value.message(8, SummaryValue.nullTensor)
        }
        return value
    }
}
