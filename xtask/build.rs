//! Marks xtask's programs with `cfg(crd_build)`: one of them, `agentgateway-crds-build`,
//! is `api/src/lib.rs` compiled as a program, and the cfg gives it its `main`.

fn main() {
    println!("cargo::rustc-cfg=crd_build");
    println!("cargo::rerun-if-changed=build.rs");
}
