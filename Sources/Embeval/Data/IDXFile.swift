import Foundation

/// The IDX format of the MNIST family: big-endian magic (0x0000 08 NN: unsigned bytes, NN dimensions), the sizes,
/// then the data. Plain or gzip-compressed.
enum IDXFile {
    /// An `N×H×W` unsigned-byte image file.
    static func readImages(_ url: URL) throws -> ImageArray {
        let bytes = try Gzip.contents(of: url)
        let dims = try header(bytes, url: url, expectedRank: 3)
        let (n, h, w) = (dims[0], dims[1], dims[2])
        let start = 4 + 4 * 3
        guard h >= 1, w >= 1 else {
            throw DatasetError.malformed(kind: nil, path: url.path, location: nil, reason: "IDX images of \(h)×\(w) pixels")
        }
        let (area, overflowArea) = h.multipliedReportingOverflow(by: w)
        let (pixels, overflow) = n.multipliedReportingOverflow(by: area)
        guard !overflowArea, !overflow, bytes.count - start >= pixels else {
            throw DatasetError.malformed(kind: nil, path: url.path, location: nil, reason: "truncated IDX image file (\(n)×\(h)×\(w) declared, \(bytes.count - start) bytes present)")
        }
        return ImageArray(width: w, height: h, channels: 1, pixels: Array(bytes[start..<(start + n * h * w)]))
    }

    /// An `N` unsigned-byte label file.
    static func readLabels(_ url: URL) throws -> [Int] {
        let bytes = try Gzip.contents(of: url)
        let n = try header(bytes, url: url, expectedRank: 1)[0]
        guard bytes.count >= 8 + n else {
            throw DatasetError.malformed(kind: nil, path: url.path, location: nil, reason: "truncated IDX label file (\(n) declared, \(bytes.count - 8) present)")
        }
        return bytes[8..<(8 + n)].map(Int.init)
    }

    private static func header(_ bytes: [UInt8], url: URL, expectedRank: Int) throws -> [Int] {
        guard bytes.count >= 4 + 4 * expectedRank, bytes[0] == 0, bytes[1] == 0, bytes[2] == 0x08,
              Int(bytes[3]) == expectedRank else {
            throw DatasetError.malformed(kind: nil, path: url.path, location: nil, reason: "not an IDX file of unsigned bytes with \(expectedRank) dimension(s)")
        }
        return (0..<expectedRank).map { d in
            (0..<4).reduce(0) { $0 << 8 | Int(bytes[4 + 4 * d + $1]) }
        }
    }
}
