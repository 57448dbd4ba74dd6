import Foundation
@testable import Embeval

/// The fixtures written by tools/fixtures/images.py, located relative to this source file.
enum ImagingFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/images")

    struct Manifest: Decodable {
        var versions: [String: String]
        var images: [ImageCase]
        var resizes: [ResizeCase]
        var processors: [ProcessorCase]
    }

    struct ImageCase: Decodable, Sendable, CustomStringConvertible {
        var file: String
        var pillow_mode: String?
        var width: Int?
        var height: Int?
        var sha256: String?
        var error: String?
        var description: String { file }
    }

    struct ResizeCase: Decodable, Sendable, CustomStringConvertible {
        var file: String
        var width: Int
        var height: Int
        var resample: Int
        var sha256: String
        var description: String { "\(file)→\(width)×\(height) filter \(resample)" }
    }

    struct ProcessorCase: Decodable, Sendable, CustomStringConvertible {
        var config: String
        var file: String
        var shape: [Int]
        var sha256: String
        var tensor: String?
        var description: String { "\(config) on \(file)" }
    }

    static let manifest: Manifest = {
        let data = try! Data(contentsOf: root.appendingPathComponent("manifest.json"))
        return try! JSONDecoder().decode(Manifest.self, from: data)
    }()

    static func path(_ file: String) -> String { root.appendingPathComponent("files/\(file)").path }
    static func configPath(_ file: String) -> String { root.appendingPathComponent("configs/\(file)").path }

    static func tensor(_ file: String) -> [Float] {
        let data = try! Data(contentsOf: root.appendingPathComponent("tensors/\(file)"))
        return data.withUnsafeBytes { raw in
            (0..<(data.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
        }
    }

    static func floatBytes(_ values: [Float]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(values.count * 4)
        for v in values {
            let b = v.bitPattern.littleEndian
            out += [UInt8(b & 0xFF), UInt8(b >> 8 & 0xFF), UInt8(b >> 16 & 0xFF), UInt8(b >> 24)]
        }
        return out
    }
}
