// The error body of the templates routes: like http::error_response, but a 422's details
// (`fields`, `required`) also sit inside `error`, where API.md puts them.
#pragma once

#include "hub/http/error.hpp"
#include "hub/http/message.hpp"

namespace hub::playbooks::templates {

http::Response template_error_response(const http::ApiError& e);

}  // namespace hub::playbooks::templates
