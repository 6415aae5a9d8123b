// The Boost.Test entry point shared by every test executable.
#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#define BOOST_TEST_MODULE portd
#include <boost/test/unit_test.hpp>
