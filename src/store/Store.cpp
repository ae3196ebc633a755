#include "store/Store.hpp"

#include <future>

namespace cityops::store {

Result<size_t> Store::ingestSync(std::vector<model::Observation> batch) {
  std::promise<Result<size_t>> p;
  auto f = p.get_future();
  ingest(std::move(batch), [&p](Result<size_t> r) { p.set_value(std::move(r)); });
  return f.get();
}

}  // namespace cityops::store
