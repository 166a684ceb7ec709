#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
// placeholder: being written
TEST_CASE("placeholder") { CHECK(false); }
