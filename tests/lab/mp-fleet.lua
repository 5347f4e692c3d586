-- mp-fleet.lua - the fleet's MPs answer CCM_POST in the server process, as
-- an IIS MP does (its ISAPI extension), not through a CGI process a request:
-- the fleet's benchmark then weighs the clients, not a fork per request.
-- /ccm_system_windowsauth/request is reached only after mod_auth_gssapi has
-- authenticated the caller.

function ccm_system(r)
	r.content_type = "text/plain"
	r:puts("ccm_system: " .. r.method .. " accepted\n")
	return apache2.OK
end

function windowsauth(r)
	r.content_type = "text/plain"
	r:puts("ccm_system_windowsauth: " .. r.method .. " accepted for " ..
	    (r.user or "(anonymous)") .. "\n")
	return apache2.OK
end
