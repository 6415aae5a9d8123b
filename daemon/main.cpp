// portd entry point: config -> store -> io_context{1} -> signals -> run.
#include <cstdio>
int main() { std::puts("portd: not yet"); return 1; }
