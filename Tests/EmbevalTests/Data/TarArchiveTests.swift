import Foundation
import Testing
@testable import Embeval

/// The tar reader and webdataset's grouping of members into samples, against what webdataset itself reads from the
/// same shards (tools/fixtures/webdataset_shards.py: GNU, pax and ustar archives written by Python's tarfile).
@Suite struct TarArchiveTests {
    static let formats = TestPaths.fixture("webdataset/formats")

    struct ExpectedSample: Decodable, Equatable {
        var key: String
        var members: [String: String]
    }

    @Test(arguments: ["gnu.tar", "pax.tar", "ustar.tar"])
    func samplesAreWhatWebdatasetReads(_ shard: String) throws {
        let expected = try JSONDecoder().decode([String: [ExpectedSample]].self,
                                                from: Data(contentsOf: Self.formats.appendingPathComponent("expected.json")))
        let file = try ReadOnlyFile(Self.formats.appendingPathComponent(shard).path)
        let samples = try WebDatasetSample.group(TarArchive(file).members, shard: file.path)
        let read = try samples.map { sample in
            ExpectedSample(key: sample.key, members: Dictionary(uniqueKeysWithValues: try sample.members.map {
                ($0.suffix, try SHA256.hex(of: try file.read(at: $0.member.offset, count: $0.member.size)))
            }))
        }
        #expect(read == expected[shard])
        #expect(read.count == (shard == "ustar.tar" ? 3 : 4))
    }

    /// webdataset's `base_plus_ext` on each name (its output, with the suffix lower-cased as `group_by_keys` does).
    @Test(arguments: [
        ("000001.png", "000001", "png"), ("a/b/c.seg.png", "a/b/c", "seg.png"), ("dir/.hidden.jpg", "dir/", "hidden.jpg"),
        ("a/b/.x", "a/b/", "x"), ("a/b.d/.x", nil, nil), (".x", nil, nil), ("noext", nil, nil), ("a.b/c", nil, nil),
        ("x.", "x", ""), ("A.JPG", "A", "jpg"), ("./k.cls", "./k", "cls"), ("a/b/c", nil, nil),
        ("deep.dir/k.tar.gz", "deep.dir/k", "tar.gz"),
    ] as [(String, String?, String?)])
    func keysSplitAsWebdatasetSplitsThem(name: String, key: String?, suffix: String?) {
        let split = WebDatasetSample.split(name)
        #expect(split?.key == key && split?.suffix == suffix)
    }

    @Test func metadataMembersAreLeftOut() {
        #expect(WebDatasetSample.isMetadata("__key__"))
        #expect(WebDatasetSample.isMetadata("__meta__/info.json"))
        #expect(!WebDatasetSample.isMetadata("___"))
        #expect(!WebDatasetSample.isMetadata("a/__meta__"))
        #expect(!WebDatasetSample.isMetadata("__x.png"))
    }

    @Test func membersAreRegularFilesWithTheirDataOffsets() throws {
        let dir = TestPaths.scratch()
        let bytes = TestTar.archive([
            .init("a.png", Array(repeating: 7, count: 700)),
            .init("folder/", [], type: UInt8(ascii: "5")),
            .init("link.png", [], type: UInt8(ascii: "2")),
            .init("old-style-folder/", [], type: 0),
            .init("vendor", Array(repeating: 1, count: 10), type: UInt8(ascii: "V")),
            .init("a.cls", text: "3"),
        ]) + TestTar.archive([.init("after-the-end.png", [1])])
        let url = try TestTar.write(bytes, to: "s.tar", in: dir)
        let members = try TarArchive(ReadOnlyFile(url.path)).members
        #expect(members == [
            .init(name: "a.png", offset: 512, size: 700, header: 0),
            .init(name: "a.cls", offset: 512 * 9, size: 1, header: 512 * 8),
        ])
    }

    @Test func paxSizeAndPathReplaceTheHeaderFields() throws {
        let dir = TestPaths.scratch()
        let records = Array("20 path=renamed.png\n".utf8) + Array("10 size=5\n".utf8)
        var bytes = TestTar.archive([.init("PaxHeaders/x", records, type: UInt8(ascii: "x"))], end: false)
        bytes += TestTar.header(name: "short.png", size: 0, type: UInt8(ascii: "0"))
        bytes += [1, 2, 3, 4, 5] + [UInt8](repeating: 0, count: 507 + 1024)
        let url = try TestTar.write(bytes, to: "pax.tar", in: dir)
        let members = try TarArchive(ReadOnlyFile(url.path)).members
        #expect(members.map(\.name) == ["renamed.png"])
        #expect(members.map(\.size) == [5])
    }

    @Test func aBase256SizeIsRead() {
        #expect(TarHeader.number([0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x00][...]) == 256)
        #expect(TarHeader.number([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF][...]) == nil)
        #expect(TarHeader.number(Array("00000001750\0".utf8)[...]) == 1000)
        #expect(TarHeader.number(Array("  1750 \0    ".utf8)[...]) == 1000)
        #expect(TarHeader.number(Array("0000000175x\0".utf8)[...]) == nil)
    }

    /// A damaged archive: an error naming the file and the byte, never a member list that quietly ends early.
    @Test(arguments: [
        ("empty", "at byte 0: empty file, not a tar archive"),
        ("not-tar", "at byte 0: not a tar archive"),
        ("bad-checksum", "at byte 1536: bad header checksum"),
        ("truncated-member", "at byte 1536: member 'b.png' declares 2000 bytes of data but the file ends at byte 2536"),
        ("truncated-padding", "the file ends inside the padding"),
        ("truncated-header", "at byte 1536: truncated header: 100 of its 512 bytes"),
        ("no-end-block", "at byte 2048: the file ends without the end-of-archive block"),
        ("pax-without-member", "an extended header with no member after it"),
        ("pax-malformed", "a malformed pax record at byte 0"),
        ("pax-bad-size", "pax size '12x' is not a number"),
        ("sparse", "is a GNU sparse file, which is not supported"),
        ("huge-extended-header", "an extended header of 2000000 bytes"),
    ])
    func damagedArchivesAreErrorsNamingTheByte(name: String, message: String) throws {
        let dir = TestPaths.scratch()
        let good = TestTar.archive([.init("a.png", Array(repeating: 1, count: 600)), .init("b.png", Array(repeating: 2, count: 2000))])
        var bytes: [UInt8]
        switch name {
        case "empty": bytes = []
        case "not-tar": bytes = Array(String(repeating: "not a tar archive, just text\n", count: 40).utf8)
        case "bad-checksum": bytes = good; bytes[1536 + 3] ^= 0x20
        case "truncated-member": bytes = Array(good.prefix(2536))
        case "truncated-padding": bytes = Array(good.prefix(2048 + 2000 + 10))
        case "truncated-header": bytes = Array(good.prefix(1536 + 100))
        case "no-end-block": bytes = TestTar.archive([.init("a.png", [1]), .init("b.png", [1])], end: false)
        case "pax-without-member": bytes = TestTar.archive([.init("a.png", [1]), .init("x", Array("10 path=a\n".utf8), type: UInt8(ascii: "x"))])
        case "pax-malformed": bytes = TestTar.archive([.init("x", Array("99 path=a\n".utf8), type: UInt8(ascii: "x")), .init("a.png", [1])])
        case "pax-bad-size": bytes = TestTar.archive([.init("x", Array("12 size=12x\n".utf8), type: UInt8(ascii: "x")), .init("a.png", [1])])
        case "sparse": bytes = TestTar.archive([.init("a.png", [1], type: UInt8(ascii: "S"))])
        default:
            bytes = TestTar.header(name: "x", size: 2_000_000, type: UInt8(ascii: "x")) + [UInt8](repeating: 0x31, count: 2_000_000)
                + TestTar.archive([.init("a.png", [1])])
        }
        let url = try TestTar.write(bytes, to: "\(name).tar", in: dir)
        #expect {
            try TarArchive(ReadOnlyFile(url.path))
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("tar shard '\(url.path)' ") && text.contains(message) && !text.contains("\n")
        }
    }
}
