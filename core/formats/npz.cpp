// .npz loader: lists the zip, parses each .npy member's header through parseNpyHeader.
#include "core/formats/npz.h"

#include "core/formats/npy.h"
#include "core/formats/zip_archive.h"

namespace qv {

namespace {

bool endsWith(const std::string& s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

Result<ModelFile> openNpzArchive(const ZipArchive& zip, std::shared_ptr<const ByteSource> bytes,
                                 const std::string& path) {
    ModelFile model;
    model.path = path;
    model.format = "npz";
    model.sources.push_back(bytes);  // source 0: the archive itself (stored members point here)
    uint64_t skipped = 0;
    for (size_t i = 0; i < zip.members().size(); ++i) {
        const ZipMember& m = zip.members()[i];
        // numpy.savez names every member "<key>.npy" (numpy/lib/npyio.py, _savez).
        if (!endsWith(m.name, ".npy")) {
            ++skipped;
            continue;
        }
        const std::string name = m.name.substr(0, m.name.size() - 4);
        const std::string context = path + ": member '" + m.name + "'";
        auto member = zip.read(i, kNpzMaxInflatedBytes);
        if (!member) return member.error();
        auto info = parseNpyHeader(member->span(), name, context);
        if (!info) return info.error();
        // parseNpyHeader checked offset + bytes == member size; move into the source's coordinates.
        info->offset += member->offset;
        if (member->source == bytes) {
            info->source = 0;
        } else {
            info->source = static_cast<uint32_t>(model.sources.size());
            model.sources.push_back(member->source);
        }
        model.tensors.push_back(std::move(*info));
    }
    model.metadata.push_back({"npz.members", std::to_string(zip.members().size())});
    if (skipped) model.metadata.push_back({"npz.skipped_non_npy_members", std::to_string(skipped)});
    return model;
}

Result<ModelFile> openNpzBytes(std::shared_ptr<const ByteSource> bytes, const std::string& path) {
    auto zip = ZipArchive::open(bytes, path);
    if (!zip) return zip.error();
    return openNpzArchive(**zip, std::move(bytes), path);
}

Result<ModelFile> openNpz(const std::string& path) {
    auto mapped = MappedFile::open(path);
    if (!mapped) return mapped.error();
    return openNpzBytes(std::move(*mapped), path);
}

}  // namespace qv
