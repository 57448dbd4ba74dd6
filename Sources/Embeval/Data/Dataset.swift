import Foundation

/// A labelled set of images: class names (label id = index), and the samples in dataset order.
public struct Dataset: Sendable {
    /// How the user named it (`fashion-mnist`, a folder, a manifest path).
    public var name: String
    public var split: String?
    public var classes: [String]
    public var samples: [Sample]

    public init(name: String, split: String?, classes: [String], samples: [Sample]) {
        self.name = name
        self.split = split
        self.classes = classes
        self.samples = samples
    }

    public var labels: [Int] { samples.map(\.label) }
    public var ids: [String] { samples.map(\.id) }

    /// A seeded random subset of `count` samples, kept in dataset order.
    ///
    /// The subset is the first `count` entries of `SeededGenerator(seed).permutation(samples.count)` (SplitMix64,
    /// Fisher–Yates), sorted ascending — reproducible in any language from the seed.
    public func sampled(_ count: Int, seed: UInt64) -> Dataset {
        guard count < samples.count else { return self }
        var generator = SeededGenerator(seed: seed)
        let chosen = generator.permutation(samples.count).prefix(count).sorted()
        var out = self
        out.samples = chosen.map { samples[$0] }
        return out
    }
}

/// One image of a dataset: a stable id (path relative to the dataset root, or the index in an IDX file), its label
/// id, and where its pixels come from.
public struct Sample: Sendable {
    public var id: String
    public var label: Int
    public var source: ImageSource

    public init(id: String, label: Int, source: ImageSource) {
        self.id = id
        self.label = label
        self.source = source
    }
}

/// Where a sample's pixels are: an image file, or one image of an in-memory grayscale array (IDX datasets).
public enum ImageSource: Sendable {
    case file(URL)
    case grayscale(GrayscaleImages, index: Int)
}

/// Equally sized 8-bit grayscale images held in one buffer, as IDX files store them.
public final class GrayscaleImages: Sendable {
    public let width: Int
    public let height: Int
    public let pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width > 0 && height > 0 && pixels.count % (width * height) == 0)
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    public var count: Int { pixels.count / (width * height) }

    /// Image `i` as RGB, each gray value replicated into R, G and B (Pillow's `convert("RGB")` of mode L).
    public func rgbImage(_ i: Int) -> RGBImage {
        let n = width * height
        var rgb = [UInt8](repeating: 0, count: n * 3)
        for p in 0..<n {
            let v = pixels[i * n + p]
            rgb[3 * p] = v; rgb[3 * p + 1] = v; rgb[3 * p + 2] = v
        }
        return RGBImage(width: width, height: height, pixels: rgb)
    }
}
