// Stand-in for ankerl/unordered_dense.h, which Debian 12 does not package.
//
// mediasoup only uses ankerl::unordered_dense::map, ::set and ::hash with the
// std::unordered_map / std::unordered_set compatible subset of their API, so
// those names are mapped onto the standard containers here. Iteration order
// and performance characteristics differ from the real library; mediasoup
// does not depend on either for correctness.
#ifndef CONFIDANTE_ANKERL_UNORDERED_DENSE_SHIM_H
#define CONFIDANTE_ANKERL_UNORDERED_DENSE_SHIM_H

#include <cstddef>
#include <functional>
#include <memory>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace ankerl
{
	namespace unordered_dense
	{
		// A struct (not an alias) so that code may specialize it like the
		// real ankerl::unordered_dense::hash.
		template<class T, class Enable = void>
		struct hash : std::hash<T>
		{
		};

		template<
		  class Key,
		  class T,
		  class Hash      = hash<Key>,
		  class KeyEqual  = std::equal_to<Key>,
		  class Allocator = std::allocator<std::pair<const Key, T>>>
		using map = std::unordered_map<Key, T, Hash, KeyEqual, Allocator>;

		template<
		  class Key,
		  class Hash      = hash<Key>,
		  class KeyEqual  = std::equal_to<Key>,
		  class Allocator = std::allocator<Key>>
		using set = std::unordered_set<Key, Hash, KeyEqual, Allocator>;

		// The real library exposes these under ankerl::unordered_dense as well.
		template<class Key, class T, class Hash = hash<Key>, class KeyEqual = std::equal_to<Key>>
		using segmented_map = map<Key, T, Hash, KeyEqual>;

		template<class Key, class Hash = hash<Key>, class KeyEqual = std::equal_to<Key>>
		using segmented_set = set<Key, Hash, KeyEqual>;
	} // namespace unordered_dense
} // namespace ankerl

#endif
