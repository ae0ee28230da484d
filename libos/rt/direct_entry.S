# Trap-free syscall sites (libos/site_patch.cpp): a patched application
# site `mov $nr, %eax; syscall` jumps to a stub that reloads eax, steps over
# the red zone and calls lb_direct_entry here. Registers are as the kernel
# leaves them across a syscall: all preserved but rax (the result), rcx and
# r11 (clobbered by `syscall` too); flags preserved.
#
# Stack on entry: [rsp] = return address into the stub (stub + 16).
# The C side gets (nr, frame): frame points at the saved registers
# (struct DirectFrame in libos/dispatch.hpp, lowest address first). It
# returns the result, or -4096 to take the ordinary trap instead.
        .text
        .globl  lb_direct_entry
        .hidden lb_direct_entry
        .type   lb_direct_entry, @function
lb_direct_entry:
        pushfq
        push    %rdi
        push    %rsi
        push    %rdx
        push    %r10
        push    %r8
        push    %r9
        push    %rbx
        push    %rbp
        push    %r12
        push    %r13
        push    %r14
        push    %r15
        push    %rax
        mov     %rsp, %rbx
        cld
        # The thread's libOS block sits at its GS base (set by the libOS
        # for every thread); not there: take the ordinary trap instead.
        rdgsbase %rcx
        test    %rcx, %rcx
        jz      2f
        movabs  $0x4c42544852454144, %rdx
        cmp     %rdx, (%rcx)
        jne     2f
        # Run on the thread's libOS stack unless already on it (an
        # application handler running there).
        mov     %rsp, %rdx
        sub     %rcx, %rdx
        cmp     $0x40000, %rdx
        jb      1f
        lea     0x40000(%rcx), %rsp
1:      and     $-16, %rsp
        mov     %rax, %rdi
        mov     %rbx, %rsi
        call    lb_direct_dispatch
        mov     %rbx, %rsp
        # -4096 (no errno, no result): take the ordinary trap after all.
        cmp     $-4096, %rax
        je      2f
        add     $8, %rsp
        pop     %r15
        pop     %r14
        pop     %r13
        pop     %r12
        pop     %rbp
        pop     %rbx
        pop     %r9
        pop     %r8
        pop     %r10
        pop     %rdx
        pop     %rsi
        pop     %rdi
        popfq
        ret
2:      pop     %rax
        pop     %r15
        pop     %r14
        pop     %r13
        pop     %r12
        pop     %rbp
        pop     %rbx
        pop     %r9
        pop     %r8
        pop     %r10
        pop     %rdx
        pop     %rsi
        pop     %rdi
        popfq
        syscall
        ret
        .size   lb_direct_entry, .-lb_direct_entry
        .section .note.GNU-stack,"",@progbits
