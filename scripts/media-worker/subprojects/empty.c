/*
 * Placeholder translation unit for the stub static libraries that the local
 * subprojects expose as *_lib variables. mediasoup's worker/meson.build only
 * feeds those into link_whole of the non-default libmediasoup-worker target;
 * the real code comes from Debian's shared libraries via dependency().
 */
typedef int confidante_empty_translation_unit;
