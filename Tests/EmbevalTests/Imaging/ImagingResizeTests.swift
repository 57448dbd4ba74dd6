import EmbevalMath
import Testing
@testable import Embeval

@Suite("Imaging: resize like Pillow")
struct ImagingResizeTests {
    @Test("uint8 output equals Pillow's Image.resize", arguments: ImagingFixtures.manifest.resizes)
    func resizesLikePillow(_ c: ImagingFixtures.ResizeCase) throws {
        let source = try ImageDecoder.decode(fileAt: ImagingFixtures.path(c.file))
        let filter = try #require(Resampling(rawValue: c.resample))
        let out = resize(source, width: c.width, height: c.height, resampling: filter)
        #expect(out.width == c.width && out.height == c.height)
        #expect(try SHA256.hex(of: out.pixels) == c.sha256)
    }

    /// Both passes sum split 16-bit pairs twelve or four bytes at a time; they must give the tap-by-tap integer sums
    /// for every size pair and filter, up to the image's last pixels (where a group reads past the taps), and so must
    /// the plain loop that kernels with a weight of exactly 1.0 take.
    @Test(arguments: [Resampling.bilinear, .bicubic, .lanczos, .box, .hamming])
    func pairedPassesEqualTheTapByTapSums(_ filter: Resampling) {
        var rng = SeededGenerator(seed: 7)
        for _ in 0..<60 {
            let inSize = Int.random(in: 1...300, using: &rng), outSize = Int.random(in: 1...120, using: &rng)
            let across = Int.random(in: 1...5, using: &rng)
            let kernel = FixedPointKernel(inSize: inSize, outSize: outSize, filter: filter)
            // Extremes as well as noise: all-255 rows give the largest sums, all-0 rows the smallest.
            let pixels = (0..<(inSize * across * 3)).map { i in
                i % 7 == 0 ? 255 : i % 11 == 0 ? 0 : UInt8.random(in: 0...255, using: &rng)
            }
            let wide = RGBImage(width: inSize, height: across, pixels: pixels)
            let tall = RGBImage(width: across, height: inSize, pixels: pixels)
            var horizontal = [UInt8](), vertical = [UInt8](repeating: 0, count: across * outSize * 3)
            for y in 0..<across {
                for x in 0..<outSize {
                    for c in 0..<3 {
                        var h = 1 << (FixedPointKernel.precisionBits - 1), v = h
                        for t in 0..<kernel.count[x] {
                            let w = Int(kernel.weights[x * kernel.taps + t])
                            h += Int(wide.pixels[3 * (y * inSize + kernel.start[x] + t) + c]) * w
                            v += Int(tall.pixels[3 * ((kernel.start[x] + t) * across + y) + c]) * w
                        }
                        horizontal.append(FixedPointKernel.clip(h))
                        vertical[3 * (x * across + y) + c] = FixedPointKernel.clip(v)
                    }
                }
            }
            let label = "\(inSize)→\(outSize) \(filter)"
            #expect(kernel.applyHorizontally(wide, rows: 0..<across).pixels == horizontal, "\(label) horizontal")
            #expect(kernel.applyHorizontallyTapByTap(wide, rows: 0..<across).pixels == horizontal, "\(label) horizontal, plain")
            #expect(kernel.applyVertically(tall, rowOffset: 0).pixels == vertical, "\(label) vertical")
            #expect(kernel.applyVerticallyTapByTap(tall, rowOffset: 0).pixels == vertical, "\(label) vertical, plain")
        }
    }

    /// An enlargement whose output centres land on source pixels has weights of exactly 1.0 (2^22); they split into
    /// 16-bit pairs too (32,767 and 128), so such a kernel keeps the paired pass and still resizes like Pillow.
    @Test func wholeWeightsSplitIntoPairs() {
        let kernel = FixedPointKernel(inSize: 2, outSize: 6, filter: .box)
        #expect(kernel.weights.contains(1 << 22) && kernel.splitsIntoPairs)
        let image = RGBImage(width: 2, height: 1, pixels: [10, 20, 30, 200, 210, 255])
        let expected: [UInt8] = [10, 20, 30, 10, 20, 30, 10, 20, 30, 200, 210, 255, 200, 210, 255, 200, 210, 255]
        #expect(kernel.applyHorizontally(image, rows: 0..<1).pixels == expected)
        #expect(kernel.applyVertically(RGBImage(width: 1, height: 2, pixels: image.pixels), rowOffset: 0).pixels == expected)
        // The split is exact wherever `splits` says so, and says so up to its edges only.
        let edges: [Int32] = [-(1 << 22), -(1 << 22) + 1, -129, -128, -1, 0, 1, 127, 128, 4_194_175, 1 << 22, 4_226_943]
        for w in edges {
            let (high, low) = PairedSamples.split(w)
            #expect(PairedSamples.splits(w) && 128 * Int(high) + Int(low) == Int(w), "\(w)")
        }
        #expect(!PairedSamples.splits(-(1 << 22) - 1) && !PairedSamples.splits(4_226_944) && !PairedSamples.splits(.max))
    }

    @Test func centerCropPadsWithZeros() {
        let image = RGBImage(width: 1, height: 1, pixels: [9, 9, 9])
        let out = centerCrop(image, width: 2, height: 3)
        // HF places the image at ceil((crop - size) / 2): column 1, row 1.
        #expect(out.pixels == [0, 0, 0, 0, 0, 0,  0, 0, 0, 9, 9, 9,  0, 0, 0, 0, 0, 0])
    }

    @Test func centerCropOffsetsRoundDown() {
        let image = RGBImage(width: 4, height: 1, grayscale: [0, 1, 2, 3])
        #expect(centerCrop(image, width: 1, height: 1).pixels == [1, 1, 1])
        #expect(centerCrop(image, width: 3, height: 1).pixels == [0, 0, 0, 1, 1, 1, 2, 2, 2])
    }
}
