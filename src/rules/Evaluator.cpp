#include "rules/Evaluator.hpp"

#include "rules/AccumulationEvaluator.hpp"
#include "rules/RateEvaluator.hpp"
#include "rules/StaleEvaluator.hpp"
#include "rules/ThresholdEvaluator.hpp"

namespace cityops::rules {

std::unique_ptr<Evaluator> Evaluator::make(const Rule& rule) {
  switch (rule.kind) {
    case Kind::Threshold:
    case Kind::Forecast: return std::make_unique<ThresholdEvaluator>(rule);  // on <metric>_forecast
    case Kind::Rate: return std::make_unique<RateEvaluator>(rule);
    case Kind::Accumulation: return std::make_unique<AccumulationEvaluator>(rule);
    case Kind::Stale: return std::make_unique<StaleEvaluator>(rule);
    case Kind::Expression: return nullptr;  // evaluated by the engine over several entities (rules/Expression)
  }
  return nullptr;
}

}  // namespace cityops::rules
