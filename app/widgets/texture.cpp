// TextureSink registry and the null sink.
#include "app/widgets/texture.h"

namespace qv {

namespace {
TextureSink* g_sink = nullptr;
}

ImTextureID NullTextureSink::upload(ImTextureID old, int w, int h, const uint32_t* rgba) {
    ++uploads;
    lastWidth = w;
    lastHeight = h;
    lastFirstTexel = (rgba && w > 0 && h > 0) ? rgba[0] : 0;
    if (rgba && w > 0 && h > 0) lastTexels.assign(rgba, rgba + size_t(w) * size_t(h));
    else lastTexels.clear();
    if (old) return old;
    return reinterpret_cast<ImTextureID>(m_next++);
}

NullTextureSink& nullTextureSink() {
    static NullTextureSink sink;
    return sink;
}

TextureSink& textureSink() { return g_sink ? *g_sink : nullTextureSink(); }
void setTextureSink(TextureSink* sink) { g_sink = sink; }

}  // namespace qv
