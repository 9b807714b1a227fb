// lvs-xdp: Linux Virtual Server on XDP. See README.md.
#include "cli/app.h"

int main(int argc, char** argv) { return lvs::run_cli(argc, argv); }
