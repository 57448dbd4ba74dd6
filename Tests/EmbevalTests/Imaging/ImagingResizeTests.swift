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
        #expect(SHA256.hex(of: out.pixels) == c.sha256)
    }

    /// The horizontal pass sums five pixels per SIMD block; it must give the tap-by-tap integer sums for every width
    /// pair and filter, including the output pixels near the end of the image, which fall back to the plain loop.
    @Test(arguments: [Resampling.bilinear, .bicubic, .lanczos, .box, .hamming])
    func blockedHorizontalPassEqualsTheTapByTapSums(_ filter: Resampling) {
        var rng = SeededGenerator(seed: 7)
        for _ in 0..<40 {
            let inWidth = Int.random(in: 1...300, using: &rng), outWidth = Int.random(in: 1...120, using: &rng)
            let height = Int.random(in: 1...3, using: &rng)
            let image = RGBImage(width: inWidth, height: height,
                                 pixels: (0..<(inWidth * height * 3)).map { _ in UInt8.random(in: 0...255, using: &rng) })
            let kernel = FixedPointKernel(inSize: inWidth, outSize: outWidth, filter: filter)
            var expected = [UInt8]()
            for y in 0..<height {
                for x in 0..<outWidth {
                    for c in 0..<3 {
                        var sum = 1 << (FixedPointKernel.precisionBits - 1)
                        for t in 0..<kernel.count[x] {
                            sum += Int(image.pixels[3 * (y * inWidth + kernel.start[x] + t) + c]) * Int(kernel.weights[x * kernel.taps + t])
                        }
                        expected.append(FixedPointKernel.clip(sum))
                    }
                }
            }
            #expect(kernel.applyHorizontally(image, rows: 0..<height).pixels == expected, "\(inWidth)→\(outWidth) \(filter)")
        }
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
