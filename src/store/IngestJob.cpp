#include "store/IngestJob.hpp"

#include "store/FlushJob.hpp"
#include "store/WalBatchCodec.hpp"

namespace cityops::store {

IngestJob::IngestJob(SqliteStore& store, std::vector<model::Observation> batch,
                     std::vector<std::shared_ptr<Series>> series, Store::IngestCallback done)
    : store_(store),
      batch_(std::move(batch)),
      series_(std::move(series)),
      done_(std::move(done)),
      submitted_(std::chrono::steady_clock::now()) {}

Status IngestJob::resolveSeries(SqliteDb& db) {
  auto& insert = store_.insertSeries_;
  for (size_t i = 0; i < batch_.size(); ++i) {
    auto& s = series_[i];
    if (s) {
      if (s->deleted) return Error{"unknown_entity", "item " + std::to_string(i) + ": entity '" + batch_[i].entity +
                                                         "' was deleted"};
      continue;
    }
    const auto& ob = batch_[i];
    std::string key = SeriesRegistry::key(ob.entity, ob.metric);
    if ((s = store_.registry_.find(ob.entity, ob.metric))) continue;
    if (auto it = store_.pendingSeries_.find(key); it != store_.pendingSeries_.end()) {
      s = it->second;
      continue;
    }
    auto entity = store_.catalog_.get(ob.entity);
    if (!entity) return Error{"unknown_entity", "item " + std::to_string(i) + ": no entity '" + ob.entity + "'"};
    if (!insert) {
      auto st = db.prepare("INSERT INTO series(entity, metric) VALUES(?1, ?2)");
      if (!st) return st.error();
      insert.emplace(std::move(*st));
    }
    insert->bind(1, ob.entity).bind(2, ob.metric);
    if (auto r = insert->run(); !r) return r;
    const auto id = static_cast<uint32_t>(db.lastInsertRowid());
    s = std::make_shared<Series>(id, ob.entity, ob.metric);
    s->setType(std::make_shared<const std::string>(entity->type));
    store_.pendingSeries_.emplace(key, s);
    created_.push_back(std::move(key));
  }
  return {};
}

Status IngestJob::apply(SqliteDb& db) {
  if (auto s = resolveSeries(db); !s) return s;
  if (store_.filter_)
    store_.filter_->inspect(batch_, [this](std::string_view id) { return store_.catalog_.get(id); });
  WalBatchCodec::Encoder log(batch_.size());
  for (size_t i = 0; i < batch_.size(); ++i)
    log.add({series_[i]->id(), {batch_[i].time, batch_[i].value, static_cast<uint8_t>(batch_[i].quality)}});
  auto& st = store_.insertLog_;
  if (!st) {
    auto prepared = db.prepare("INSERT INTO wal_batches(data) VALUES(?1)");
    if (!prepared) return prepared.error();
    st.emplace(std::move(*prepared));
  }
  st->bindBlob(1, log.finish());
  if (auto r = st->run(); !r) return r;
  store_.lastLogId_ = db.lastInsertRowid();
  return {};
}

void IngestJob::committed() {
  for (const auto& key : created_) {
    auto it = store_.pendingSeries_.find(key);
    store_.registry_.add(it->second);
    store_.pendingSeries_.erase(it);
  }
  for (size_t i = 0; i < batch_.size(); ++i) {
    const auto& ob = batch_[i];
    series_[i]->append({ob.time, ob.value, static_cast<uint8_t>(ob.quality)});
  }
  store_.headSamples_ += batch_.size();
  if (!store_.oldestUnsealedMs_) store_.oldestUnsealedMs_ = store_.clock_.nowMs();
  bool listening = false;
  for (auto* sink : store_.sinks_) listening = listening || sink->listening();
  if (listening) {
    std::vector<stream::ObservationEvent> events;
    std::vector<std::shared_ptr<const std::string>> types(batch_.size());  // keeps the strings alive
    events.reserve(batch_.size());
    for (size_t i = 0; i < batch_.size(); ++i) {
      const auto& ob = batch_[i];
      types[i] = i > 0 && series_[i] == series_[i - 1] ? types[i - 1] : series_[i]->type();
      events.push_back({&ob.entity, types[i].get(), &ob.metric, ob.time, ob.value, ob.quality, series_[i]->id()});
    }
    for (auto* sink : store_.sinks_)
      if (sink->listening()) sink->onObservations(events);
  }
  store_.ingestedObs_->inc(batch_.size());
  store_.ingestedBatches_->inc();
  store_.commitSeconds_->observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - submitted_).count());
  done_(batch_.size());
  if (store_.headSamples_.load() >= store_.options_.flushMaxHeadSamples) store_.requestFlush();
}

void IngestJob::failed(const Error& e) {
  for (const auto& key : created_) store_.pendingSeries_.erase(key);
  store_.rejectedBatches_->inc();
  done_(e);
}

}  // namespace cityops::store
