/// A small HDF5 file of named arrays (datasets at the root) and scalar attributes, written in
/// one atomic commit: what GenLab keeps besides run files (its evaluation classifier's
/// weights and accuracy), readable from h5py.
public enum ArrayFile {
    /// Writes `arrays` and `attributes` as the file at `path` (replacing it whole, atomically).
    public static func write(path: String, arrays: [StoredArray], attributes: [(name: String, value: AnalysisRecord.Value)]) throws(HDF5Error) {
        let file = try HDF5File(path: path + ".tmp", mode: .createInMemory)
        try RunFile.writeAttributes(attributes, on: "/", in: file)
        for array in arrays {
            guard !array.name.isEmpty, !array.name.contains("/") else {
                throw HDF5Error(.invalidRecord, "an array name must be one path component, found '\(array.name)'", path: path)
            }
            try RunFile.writeArray(array, at: "/\(array.name)", in: file)
        }
        let bytes = try file.image()
        try file.close()
        try DurableFile.replace(path, with: bytes)
    }

    /// The arrays and attributes of the file at `path`; a file that is not one is an error
    /// naming it.
    public static func read(path: String) throws(HDF5Error) -> (arrays: [StoredArray], attributes: [(name: String, value: AnalysisRecord.Value)]) {
        let file = try HDF5File(path: path, mode: .readOnly)
        defer { try? file.close() }
        var arrays: [StoredArray] = []
        for name in try file.children("/") { arrays.append(try RunFile.readArray(file, "/\(name)", name: name)) }
        return (arrays, try RunFile.readAttributes(on: "/", in: file))
    }
}
