// dibr: headless front end of DIB-R Studio (see docs/cli.md).
#include <CLI/CLI.hpp>

#include <exception>
#include <iostream>
#include <vector>

#include "trainer/cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"dibr: single-image 3D mesh reconstruction with the DIB-R renderer.\n"
               "Workflow: make-sample (optional) -> train -> eval -> chamfer. See docs/cli.md."};
  app.name("dibr");
  app.require_subcommand(1, 1);
  app.fallthrough(false);

  const std::vector<dibr::cli::Command> commands = {
      dibr::cli::add_make_sample_command(app),
      dibr::cli::add_train_command(app),
      dibr::cli::add_eval_command(app),
      dibr::cli::add_chamfer_command(app),
  };

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  for (const auto& command : commands) {
    if (!command.app->parsed()) continue;
    try {
      return command.run();
    } catch (const std::exception& e) {
      std::cerr << "dibr " << command.app->get_name() << ": error: " << e.what() << "\n";
      return 1;
    }
  }
  return 1;  // unreachable: require_subcommand(1, 1)
}
