#include "trainer/training_types.h"

namespace dibr {

std::string TrainingSnapshot::label() const {
  if (step < 0) return "no preview yet";
  return (from_checkpoint ? "checkpoint step " : "live step ") + std::to_string(step);
}

}  // namespace dibr
