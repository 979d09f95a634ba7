import Foundation

/// What one analysis of a run stores in the run file, as `/analysis/<name>/`: scalar
/// attributes (what was computed, its parameters, its numbers) and arrays.
public struct AnalysisRecord: Equatable, Sendable {
    /// A scalar attribute's value.
    public enum Value: Equatable, Sendable {
        case text(String)
        case integer(Int64)
        case number(Double)
    }

    /// The analysis's name (the group's).
    public var name: String
    public var attributes: [(name: String, value: Value)]
    /// Arrays, named relative to the group.
    public var arrays: [StoredArray]

    public init(name: String, attributes: [(name: String, value: Value)] = [], arrays: [StoredArray] = []) {
        self.name = name
        self.attributes = attributes
        self.arrays = arrays
    }

    public static func == (a: AnalysisRecord, b: AnalysisRecord) -> Bool {
        a.name == b.name && a.arrays == b.arrays && a.attributes.map(\.name) == b.attributes.map(\.name)
            && a.attributes.map(\.value) == b.attributes.map(\.value)
    }
}

extension RunFile {
    /// Stores `record` as `/analysis/<name>/` of the run file at `path`, replacing that group
    /// and nothing else, in one commit (the whole file rewritten beside it and renamed over it).
    /// `metadata`, when given, replaces the root attributes (an older run file gaining its
    /// description); otherwise they stay as they are.
    public static func commitAnalysis(path: String, _ record: AnalysisRecord, metadata: RunMetadata? = nil) throws(HDF5Error) {
        guard !record.name.isEmpty, !record.name.contains("/"), record.name != "." else {
            throw HDF5Error(.invalidRecord, "an analysis name must be one path component, found '\(record.name)'", path: path)
        }
        let old = try open(path)
        let file = try HDF5File(path: path + ".tmp", mode: .createInMemory)
        if let metadata { try writeMetadata(metadata, to: file) } else { try writeMetadata(try readMetadata(old), to: file) }
        for group in try old.children("/") where group != "analysis" { try file.copy("/\(group)", from: old) }
        try file.createGroup("/analysis")
        if old.exists("/analysis") {
            for other in try old.children("/analysis") where other != record.name { try file.copy("/analysis/\(other)", from: old) }
        }
        let group = "/analysis/\(record.name)"
        try file.createGroup(group)
        try writeAttributes(record.attributes, on: group, in: file)
        for array in record.arrays { try writeArray(array, at: "\(group)/\(array.name)", in: file) }
        try old.close()
        let bytes = try file.image()
        try file.close()
        try DurableFile.replace(path, with: bytes)
    }

    /// Every analysis stored in the run file at `path`.
    public static func readAnalyses(path: String) throws(HDF5Error) -> [AnalysisRecord] {
        let file = try open(path)
        defer { try? file.close() }
        guard file.exists("/analysis") else { return [] }
        var records: [AnalysisRecord] = []
        for name in try file.children("/analysis") {
            let group = "/analysis/\(name)"
            var record = AnalysisRecord(name: name, attributes: try readAttributes(on: group, in: file))
            for array in try file.children(group) { record.arrays.append(try readArray(file, "\(group)/\(array)", name: array)) }
            records.append(record)
        }
        return records
    }

    /// Writes scalar attributes (text, int64, float64) on an object.
    static func writeAttributes(_ attributes: [(name: String, value: AnalysisRecord.Value)], on object: String, in file: HDF5File) throws(HDF5Error) {
        for (name, value) in attributes {
            switch value {
            case .text(let text): try file.setAttribute(name, text, on: object)
            case .integer(let n): try file.setAttribute(name, n, on: object)
            case .number(let x): try file.setAttribute(name, x, on: object)
            }
        }
    }

    /// Every attribute of an object, as text, integer or number.
    static func readAttributes(on object: String, in file: HDF5File) throws(HDF5Error) -> [(name: String, value: AnalysisRecord.Value)] {
        var attributes: [(name: String, value: AnalysisRecord.Value)] = []
        for attribute in try file.attributeNames(on: object) {
            if let text = try? file.stringAttribute(attribute, on: object) {
                attributes.append((attribute, .text(text ?? "")))
            } else if try file.attributeIsInteger(attribute, on: object) {
                attributes.append((attribute, .integer(try file.intAttribute(attribute, on: object) ?? 0)))
            } else {
                attributes.append((attribute, .number(try file.doubleAttribute(attribute, on: object) ?? 0)))
            }
        }
        return attributes
    }
}
